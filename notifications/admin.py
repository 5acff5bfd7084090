"""Admin of notifications."""
from django.contrib import admin

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("channel", "address", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "enterprise", "user", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "enterprise__name", "source")
    raw_id_fields = ("enterprise", "user")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]
