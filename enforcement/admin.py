"""Admin of ``enforcement``: the discretion table (editable by the bureau), officers' capacity, and
read-mostly views of plans, inspections, cases, the positive list, joint inspections and operators'
records of monitoring devices (their steps go through services: the positive list's approval, rejection
and removal are admin actions calling them; its state fields and an inspection's answer are read-only)."""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dispatch.workflow import WorkflowError

from . import services

from .models import (
    Case,
    CaseEvidence,
    DeviceCheck,
    DiscretionArticle,
    Inspection,
    InspectionPlan,
    JointInspection,
    JointPart,
    OffSiteLine,
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


class OffSiteLineInline(admin.TabularInline):
    model = OffSiteLine
    extra = 0
    can_delete = False
    readonly_fields = ("basis", "result", "note", "work_order")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Inspections are recorded and answered through ``services`` (pages, API): here the record, the
    lines and the enterprise's answer are read-only."""
    list_display = ("enterprise", "mode", "started_at", "problems_found", "case_lead", "confirmation")
    list_filter = ("mode", "case_lead", "confirmation")
    search_fields = ("enterprise__name",)
    readonly_fields = ("enterprise", "mode", "planned", "round", "recorded_by", "officers", "started_at", "ended_at",
                       "basis", "problems_found", "case_lead", "confirmation", "confirmed_by", "confirmed_by_user",
                       "confirmed_at", "dispute_reason")
    inlines = [OffSiteLineInline]

    def has_add_permission(self, request):
        return False


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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(PositiveListEntry)
class PositiveListEntryAdmin(admin.ModelAdmin):
    """Read-only: proposals come from the entry rules; approval, rejection and removal are the actions
    below, each through ``services`` (who, when, the reason, the enterprise told)."""
    list_display = ("enterprise", "state", "proposed_at", "published_at", "removed_at")
    list_filter = ("state",)
    search_fields = ("enterprise__name",)
    readonly_fields = ("enterprise", "state", "entry_reason", "proposed_at", "approved_by", "published_at",
                       "removed_at", "removal_reason")
    actions = ["approve_selected", "end_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, step) -> None:
        done, refused = 0, []
        for entry in queryset.select_related("enterprise"):
            try:
                step(entry)
                done += 1
            except WorkflowError as exc:
                refused.append(f"{entry.enterprise.name}: {exc}")
        if done:
            self.message_user(request, ngettext("%(n)d entry done.", "%(n)d entries done.", done) % {"n": done})
        if refused:
            self.message_user(request, "；".join(refused), messages.ERROR)

    @admin.action(description=_("Approve and publish the selected proposals"))
    def approve_selected(self, request, queryset):
        try:
            done = len(services.positive_list_approve(entries=list(queryset), user=request.user))
        except WorkflowError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, ngettext("%(n)d entry done.", "%(n)d entries done.", done) % {"n": done})

    @admin.action(description=_("Reject or remove the selected entries, with a reason"))
    def end_selected(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda e: services.positive_list_end(entry=e, user=request.user,
                                                                                reason=reason))
            return None
        return TemplateResponse(request, "admin/enforcement/positive_list_end.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "entries": queryset, "form": form,
            "title": _("Reject or remove the selected entries, with a reason")})


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
