"""Admin of monitoring."""
from django.contrib import admin

from core import clock
from core.admin import ReadOnlyAdmin

from .models import (
    Aggregate,
    BackfillApproval,
    CodeMapping,
    Device,
    DeviceCommand,
    DeviceMessage,
    HeldValue,
    IngestRejection,
    InvalidPeriod,
    Station,
)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "township", "latitude", "longitude")
    list_filter = ("kind", "township")
    search_fields = ("code", "name")


class CodeMappingInline(admin.TabularInline):
    model = CodeMapping
    fields = ("code", "pollutant", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    raw_id_fields = ("pollutant",)
    extra = 0

    def has_add_permission(self, request, obj=None):  # mapped on the codes page or the mapping admin
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("mn", "outlet", "station", "protocol_version", "is_active", "accepted_packets",
                    "rejected_packets", "stored_readings", "last_seen_at")
    list_filter = ("is_active", "protocol_version", "accept_swapped_crc")
    search_fields = ("mn", "outlet__enterprise__name", "outlet__code", "station__name")
    raw_id_fields = ("outlet", "station")
    readonly_fields = ("accepted_packets", "rejected_packets", "stored_readings", "first_seen_at", "last_seen_at",
                       "last_rejected_at")
    inlines = [CodeMappingInline]


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


@admin.register(BackfillApproval)
class BackfillApprovalAdmin(admin.ModelAdmin):
    """The bureau approves an enterprise's backfill of old manual results (audited)."""

    list_display = ("outlet", "starts_at", "ends_at", "reason", "approved_by", "approved_at")
    raw_id_fields = ("outlet",)
    readonly_fields = ("approved_by", "approved_at")

    def save_model(self, request, obj, form, change):
        obj.approved_by = request.user
        obj.approved_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(CodeMapping)
class CodeMappingAdmin(admin.ModelAdmin):
    """Per-device code overrides (a vendor code, a 2005 code meaning something else on this device)."""

    list_display = ("device", "code", "pollutant", "created_by", "created_at")
    search_fields = ("device__mn", "code", "pollutant__code")
    raw_id_fields = ("device", "pollutant", "created_by")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        obj.created_by, obj.created_at = request.user, clock.now()
        super().save_model(request, obj, form, change)


@admin.register(HeldValue)
class HeldValueAdmin(admin.ModelAdmin):
    """What devices sent that does not count (yet), as sent; mapped codes are counted by ``recount_held``."""

    list_display = ("received_at", "device", "code", "kind", "observed_at", "problem", "counted_at")
    list_filter = ("problem", "kind")
    search_fields = ("device__mn", "code")
    raw_id_fields = ("device",)
    readonly_fields = [f.name for f in HeldValue._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InvalidPeriod)
class InvalidPeriodAdmin(ReadOnlyAdmin):
    """Read only: the periods are kept by the records behind them (enforcement's operator records)."""

    list_display = ("device", "reason", "starts_at", "ends_at", "source", "source_id", "updated_at")
    list_filter = ("reason",)
    search_fields = ("device__mn",)


@admin.register(DeviceMessage)
class DeviceMessageAdmin(ReadOnlyAdmin):
    """Read only: what devices sent besides readings, as sent (the staff page describes it in words)."""

    list_display = ("received_at", "device", "cn", "observed_at", "qn")
    list_filter = ("cn",)
    search_fields = ("device__mn", "qn")
    raw_id_fields = ("device",)


@admin.register(DeviceCommand)
class DeviceCommandAdmin(ReadOnlyAdmin):
    """Read only: history requests made by the warning cycle and sent by the HJ 212 servers."""

    list_display = ("created_at", "device", "cn", "begin_at", "end_at", "sent_at", "qn_rtn", "exe_rtn", "answered_at")
    list_filter = ("cn", "reason")
    search_fields = ("device__mn", "qn")
    raw_id_fields = ("device",)
