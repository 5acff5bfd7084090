"""Admin of dispatch."""
from django.contrib import admin

from .models import Complaint, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "source", "state", "enterprise", "township", "opened_at")
    list_filter = ("source", "state", "township")
    search_fields = ("title", "enterprise__name", "source_ref")
    raw_id_fields = ("enterprise", "opened_by")
    date_hierarchy = "opened_at"


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "enterprise", "township", "created_at")
    list_filter = ("channel", "township")
    search_fields = ("text", "enterprise__name")
    raw_id_fields = ("enterprise", "work_order")
    exclude = ("access_token",)
