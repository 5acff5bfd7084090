"""Pages of inspections: recording an off-site inspection (非现场检查) from the enterprise file with the
evidence to review, the printable record of an inspection (the on-site record 现场检查笔录 with the
enterprise's confirmation or dispute, or the off-site record with its lines), and the enterprise
account's list of its on-site records. Writes go through ``enforcement.services``, as the API's do."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import WorkflowError
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from . import evidence, services
from .forms import ConfirmForm, DisputeForm, OffSiteForm
from .models import Confirmation, Inspection, Mode

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _visible(request, enterprise) -> None:
    if not jurisdiction.can_access_enterprise(request.user, enterprise):
        raise PermissionDenied


@login_required
def off_site_inspection(request, pk: int):
    """The evidence of the last 90 days beside the form: a line per kind of evidence and a conclusion."""
    enterprise = get_object_or_404(Enterprise.objects.select_related("township"), pk=pk)
    _visible(request, enterprise)
    if not services.may_handle_cases(request.user):
        raise PermissionDenied(_("Only enforcement officers and bureau staff record inspections."))
    now = clock.now()
    planned = evidence.open_off_site_item(enterprise, now)
    local = timezone.localtime(now)
    initial = {"started_at": (local - dt.timedelta(minutes=30)).strftime(LOCAL_MINUTE),
               "ended_at": local.strftime(LOCAL_MINUTE)}
    form, status = OffSiteForm(request.POST or None, initial=initial), 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                inspection = services.inspection_record_off_site(
                    user=request.user, enterprise=enterprise, lines=form.lines(), conclusion=d["conclusion"],
                    started_at=d["started_at"], ended_at=d["ended_at"], case_lead=d["case_lead"], planned=planned)
                messages.success(request, _("The off-site inspection is recorded."))
                return redirect("enforcement:on-site-record", pk=inspection.pk)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
        status = 400
    return render(request, "enforcement/off_site_form.html", {
        "enterprise": enterprise, "form": form, "planned": planned, **evidence.off_site_evidence(enterprise, now)},
        status=status)


def _answer_forms(user, inspection) -> dict:
    """The forms ``user`` may use to answer for the enterprise while the record awaits its answer."""
    if inspection.mode != Mode.ON_SITE or inspection.confirmation != Confirmation.PENDING:
        return {}
    if user.role == Role.ENTERPRISE and user.enterprise_id == inspection.enterprise_id:
        return {"confirm": None, "dispute": DisputeForm()}
    if services.may_handle_cases(user):
        return {"confirm": ConfirmForm()}
    return {}


@login_required
def inspection_record(request, pk: int):
    """The printable record of an inspection. While an on-site record awaits the enterprise's answer, its
    account confirms or disputes it here (POST ``step``), and enforcement staff may record the name of
    who signed the paper record."""
    inspection = get_object_or_404(Inspection.objects.select_related("enterprise", "round", "confirmed_by_user"),
                                   pk=pk)
    _visible(request, inspection.enterprise)
    forms, status = _answer_forms(request.user, inspection), 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in forms:
            raise PermissionDenied(_("You may not answer for this on-site record."))
        form = None if forms[step] is None else type(forms[step])(request.POST)
        if form is None or form.is_valid():
            data = form.cleaned_data if form else {}
            try:
                if step == "dispute":
                    services.inspection_dispute(inspection=inspection, user=request.user, reason=data["reason"])
                else:
                    services.inspection_confirm(inspection=inspection, user=request.user,
                                                confirmed_by=data.get("confirmed_by", ""))
                return redirect("enforcement:on-site-record", pk=inspection.pk)
            except WorkflowError as exc:
                if form is None:
                    messages.error(request, str(exc))
                    return redirect("enforcement:on-site-record", pk=inspection.pk)
                form.add_error(None, str(exc))
        forms[step], status = form, 400
    results = (inspection.round.results.select_related("line", "work_order").prefetch_related("attachments")
               if inspection.round_id else [])
    return render(request, "enforcement/inspection_record.html", {
        "inspection": inspection, "results": results, "officers": inspection.officers.all(),
        "lines": inspection.off_site_lines.select_related("work_order"), "forms": forms,
        "staff": services.may_handle_cases(request.user)}, status=status)


@login_required
def my_on_site_records(request):
    """The enterprise account's on-site records, each to print, confirm or dispute."""
    if request.user.role != Role.ENTERPRISE or request.user.enterprise_id is None:
        raise PermissionDenied(_("Only an enterprise's account has this page."))
    enterprise = request.user.enterprise
    return render(request, "enforcement/my_records.html", {
        "enterprise": enterprise, "records": evidence.on_site_records_of(enterprise)})
