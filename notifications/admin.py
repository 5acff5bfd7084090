"""Admin of notifications: messages with their deliveries, digests, users' channel choices."""
from django.contrib import admin

from .models import ChannelPreference, Delivery, Digest, Notification

DELIVERY_FIELDS = ("channel", "address", "user", "status", "attempts", "next_attempt_at", "sent_at", "last_error")


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = DELIVERY_FIELDS
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "enterprise", "user", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "enterprise__name", "source")
    raw_id_fields = ("enterprise", "user", "digest")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("pk", "enterprise", "user", "created_at")
    raw_id_fields = ("enterprise", "user")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("pk", "notification", "digest", *DELIVERY_FIELDS[:-1])
    list_filter = ("channel", "status")
    search_fields = ("address", "last_error")
    readonly_fields = ("notification", "digest", *DELIVERY_FIELDS)


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "sms", "wecom", "dingtalk", "updated_at")
    list_filter = ("email", "sms", "wecom", "dingtalk")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
