"""Admin of ``enforcement``: the discretion table (editable by the bureau), officers' capacity, and
read-mostly views of plans, inspections, cases, the positive list, joint inspections and operators'
records of monitoring devices (their steps go through services)."""
from django.contrib import admin

from .models import (
    Case,
    CaseEvidence,
    DeviceCheck,
    DiscretionArticle,
    Inspection,
    InspectionPlan,
    JointInspection,
    JointPart,
    OfficerCapacity,
    PlannedInspection,
    PositiveListEntry,
)


@admin.register(DiscretionArticle)
class DiscretionArticleAdmin(admin.ModelAdmin):
    list_display = ("code", "law", "article", "reason", "min_amount", "base_amount", "max_amount")
    list_filter = ("law", "reason")


@admin.register(OfficerCapacity)
class OfficerCapacityAdmin(admin.ModelAdmin):
    list_display = ("officer", "per_month")
    autocomplete_fields = ("officer",)


class PlannedInline(admin.TabularInline):
    model = PlannedInspection
    extra = 0
    can_delete = False
    readonly_fields = ("enterprise", "mode", "reason", "source_ref", "lead_officer", "second_officer")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("year", "month", "seed", "drawn_at", "drawn_by")
    readonly_fields = ("year", "month", "seed", "drawn_at", "drawn_by", "summary")
    inlines = [PlannedInline]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "mode", "started_at", "problems_found", "case_lead")
    list_filter = ("mode", "case_lead")
    search_fields = ("enterprise__name",)
    readonly_fields = ("enterprise", "mode", "planned", "round", "recorded_by", "officers")


class EvidenceInline(admin.TabularInline):
    model = CaseEvidence
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "state", "filing_number", "decision_number", "decided_on", "amount")
    list_filter = ("state", "reason")
    search_fields = ("enterprise__name", "filing_number", "decision_number")
    readonly_fields = ("enterprise", "inspection", "work_order", "colour", "discretion_factor", "suggested_amount")
    inlines = [EvidenceInline]


@admin.register(PositiveListEntry)
class PositiveListEntryAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "state", "proposed_at", "published_at", "removed_at")
    list_filter = ("state",)
    search_fields = ("enterprise__name",)


class JointPartInline(admin.TabularInline):
    model = JointPart
    extra = 0
    can_delete = False
    readonly_fields = ("party", "township", "agency", "findings", "problems_found", "signed_by", "signer_name",
                       "signed_at")


@admin.register(JointInspection)
class JointInspectionAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "planned_on", "invited_by")
    search_fields = ("enterprise__name",)
    readonly_fields = ("enterprise", "invited_by", "invited_at")
    inlines = [JointPartInline]


@admin.register(DeviceCheck)
class DeviceCheckAdmin(admin.ModelAdmin):
    list_display = ("device", "enterprise", "kind", "performed_at", "passed", "resolved_at")
    list_filter = ("kind", "passed")
    search_fields = ("enterprise__name", "device__mn", "operator")
    readonly_fields = ("device", "enterprise", "recorded_by", "recorded_at")
