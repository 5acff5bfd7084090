"""Admin of alerts."""
from django.contrib import admin

from .models import Alert, AlertEvent, AlertSettings, Exceedance, Incident, Silence


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("opened_at", "enterprise", "outlet", "pollutant", "rule", "state", "is_alarm", "muted",
                    "notify_count", "value", "limit_value")
    list_filter = ("rule", "state", "is_alarm", "muted")
    search_fields = ("enterprise__name", "outlet__code")
    raw_id_fields = ("outlet", "enterprise", "work_order", "acknowledged_by", "closed_by")
    readonly_fields = ("opened_at", "last_seen_at", "clear_since", "notify_count", "last_notified_at",
                       "escalated_at", "resolved_at", "resolved_message_sent")
    date_hierarchy = "opened_at"
    inlines = [AlertEventInline]


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ("outlet", "enterprise", "starts_at", "ends_at", "created_by", "cancelled_at")
    search_fields = ("enterprise__name", "outlet__code", "reason")
    raw_id_fields = ("outlet", "enterprise", "created_by", "cancelled_by")
    readonly_fields = ("created_at", "created_by", "cancelled_at", "cancelled_by")

    def has_add_permission(self, request):  # declared through the service, which keeps the audit trail
        return False


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "near_limit_share", "missing_data_minutes", "repeat_minutes", "escalate_minutes",
                    "resolve_hold_minutes")

    def has_add_permission(self, request):
        return not AlertSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Exceedance)
class ExceedanceAdmin(admin.ModelAdmin):
    """Completed averaging periods over their permit limit (recorded by the warning cycle)."""

    list_display = ("start", "enterprise", "outlet", "pollutant", "averaging_period", "value", "limit_value", "unit",
                    "alert")
    list_filter = ("averaging_period",)
    search_fields = ("enterprise__name", "outlet__code", "pollutant__code")
    date_hierarchy = "start"
    readonly_fields = [f.name for f in Exceedance._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("opened_at", "resolved_at", "outlets", "peak_outlets", "monitored_outlets", "last_seen_at")
    readonly_fields = list_display
    date_hierarchy = "opened_at"
