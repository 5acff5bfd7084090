"""Admin of dispatch: every model; work-order history and files are shown read-only inline."""
from django.contrib import admin

from .models import (
    Attachment,
    Checklist,
    ChecklistLine,
    Complaint,
    ComplaintAnswer,
    Feedback,
    LineResult,
    Round,
    SelfCheckNotice,
    Team,
    Transition,
    WorkOrder,
)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "by", "at", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "source", "state", "assignee_kind", "enterprise", "township", "opened_at",
                    "due_at", "on_time", "supervised_at")
    list_filter = ("source", "state", "assignee_kind", "on_time", "township")
    search_fields = ("title", "enterprise__name", "source_ref")
    raw_id_fields = ("enterprise", "opened_by", "grid", "officer")
    date_hierarchy = "opened_at"
    inlines = [TransitionInline]
    readonly_fields = ("state",)  # states change only through the workflow


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("members", "townships")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("file", "content_type", "size", "sha256", "taken_at", "latitude", "longitude")
    readonly_fields = fields


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("id", "work_order", "declared_files", "submitted_at", "completed_at")
    raw_id_fields = ("work_order", "submitted_by")
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("id", "content_type", "size", "sha256", "taken_at", "uploaded_at")
    raw_id_fields = ("feedback", "line_result", "uploaded_by")
    readonly_fields = ("sha256", "size", "content_type")


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ("work_order", "action", "from_state", "to_state", "by", "at")
    list_filter = ("action",)
    raw_id_fields = ("work_order", "by")


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "enterprise", "township", "created_at", "fixed_question_at")
    list_filter = ("channel", "township")
    search_fields = ("text", "enterprise__name")
    raw_id_fields = ("enterprise", "work_order")
    exclude = ("access_token",)


@admin.register(ComplaintAnswer)
class ComplaintAnswerAdmin(admin.ModelAdmin):
    list_display = ("complaint", "fixed", "answered_at", "closure")
    raw_id_fields = ("complaint",)


class ChecklistLineInline(admin.TabularInline):
    model = ChecklistLine
    extra = 0
    fields = ("seq", "category", "ref", "title", "requirement")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ("permit", "enterprise", "revision", "schema_version", "built_at")
    raw_id_fields = ("permit", "enterprise")
    inlines = [ChecklistLineInline]


@admin.register(SelfCheckNotice)
class SelfCheckNoticeAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "batch", "issued_at", "due_at", "completed_at")
    list_filter = ("batch",)
    raw_id_fields = ("enterprise", "checklist", "issued_by")


class LineResultInline(admin.TabularInline):
    model = LineResult
    extra = 0
    raw_id_fields = ("line", "work_order")


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("kind", "enterprise", "performed_by", "submitted_at", "case_lead", "case_filed_on")
    list_filter = ("kind", "case_lead")
    raw_id_fields = ("checklist", "enterprise", "notice", "performed_by")
    filter_horizontal = ("officers",)
    inlines = [LineResultInline]
