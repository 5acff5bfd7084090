"""Admin of monitoring."""
from django.contrib import admin

from .models import Aggregate, Device, IngestRejection, Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "township", "latitude", "longitude")
    list_filter = ("kind", "township")
    search_fields = ("code", "name")


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("mn", "outlet", "station", "protocol_version", "is_active", "accepted_packets",
                    "rejected_packets", "stored_readings", "last_seen_at")
    list_filter = ("is_active", "protocol_version", "accept_swapped_crc")
    search_fields = ("mn", "outlet__enterprise__name", "outlet__code", "station__name")
    raw_id_fields = ("outlet", "station")
    readonly_fields = ("accepted_packets", "rejected_packets", "stored_readings", "last_seen_at", "last_rejected_at")


@admin.register(IngestRejection)
class IngestRejectionAdmin(admin.ModelAdmin):
    list_display = ("received_at", "mn", "reason", "source", "detail")
    list_filter = ("reason",)
    search_fields = ("mn", "detail")
    date_hierarchy = "received_at"
    raw_id_fields = ("device",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Aggregate)
class AggregateAdmin(admin.ModelAdmin):
    list_display = ("start", "period", "outlet", "station", "pollutant", "count", "valid_count", "avg", "min", "max")
    list_filter = ("period",)
    raw_id_fields = ("outlet", "station")
    date_hierarchy = "start"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
