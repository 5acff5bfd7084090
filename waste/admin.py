"""Admin of waste: the catalogue, facilities with their permits, vehicles, manifests (read mostly), the
check settings and warnings."""
from django.contrib import admin

from .models import (
    Facility, GpsPoint, LedgerEntry, Manifest, ManifestEvent, ReceiverPermit, TransferSettings, Vehicle, WasteAlert,
    WasteAlertEvent, WasteCategory,
)


@admin.register(WasteCategory)
class WasteCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "klass", "kind", "name"]
    list_filter = ["kind", "klass"]
    search_fields = ["code", "name"]


class ReceiverPermitInline(admin.TabularInline):
    model = ReceiverPermit
    extra = 0
    autocomplete_fields = ["category"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "address"]
    search_fields = ["name", "operator__name"]
    raw_id_fields = ["operator"]
    inlines = [ReceiverPermitInline]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate", "carrier", "terminal_phone", "registered_at", "last_seen_at"]
    search_fields = ["plate", "terminal_phone", "carrier__name"]
    raw_id_fields = ["carrier"]


class ManifestEventInline(admin.TabularInline):
    model = ManifestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "at", "actor", "note"]


@admin.register(Manifest)
class ManifestAdmin(admin.ModelAdmin):
    list_display = ["number", "producer", "category", "quantity", "unit", "vehicle", "receiver", "state"]
    list_filter = ["state", "category__kind"]
    search_fields = ["number", "producer__name", "vehicle__plate"]
    raw_id_fields = ["producer", "carrier", "vehicle", "receiver", "category", "producer_signed_by",
                     "carrier_signed_by", "receiver_signed_by"]
    readonly_fields = ["state"]  # states move only through the signatures (waste.services.manifests)
    inlines = [ManifestEventInline]


@admin.register(GpsPoint)
class GpsPointAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "at", "latitude", "longitude", "speed", "source"]
    list_filter = ["source"]
    raw_id_fields = ["vehicle"]
    search_fields = ["vehicle__plate"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "category", "month", "generated_t", "shipped_t", "stored_t"]
    raw_id_fields = ["enterprise", "category"]


@admin.register(TransferSettings)
class TransferSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not TransferSettings.objects.exists()


class WasteAlertEventInline(admin.TabularInline):
    model = WasteAlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "actor", "note"]


@admin.register(WasteAlert)
class WasteAlertAdmin(admin.ModelAdmin):
    list_display = ["manifest", "enterprise", "rule", "state", "opened_at", "is_alarm"]
    list_filter = ["rule", "state", "is_alarm"]
    raw_id_fields = ["manifest", "enterprise", "acknowledged_by", "work_order", "closed_by"]
    readonly_fields = ["state", "evidence"]
    inlines = [WasteAlertEventInline]
