"""Pages of ``enforcement``: the enterprise file (一企一档) and the county's compliance strips (CSV,
GeoJSON), monthly plans and their draw, cases, officers' monthly
statistics with their drill-down, the published positive list, the subsidy list export and joint
inspections (each party its own part)."""
import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.exports import csv_row
from dispatch.workflow import WorkflowError
from ecocode.models import Colour
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role, User

from . import selectors, services
from .forms import STEPS, JointInviteForm, JointPartForm, JointSignForm
from .models import Case, InspectionPlan, PositiveListEntry

STAFF_DENIED = _("Only enforcement officers and bureau staff see this page.")


def _staff(request):
    if not services.may_handle_cases(request.user):
        raise PermissionDenied(STAFF_DENIED)


def _month(request) -> tuple[int, int]:
    today = clock.now().date()
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
    except ValueError:
        raise Http404 from None
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return year, month


@login_required
def enterprise_file(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.select_related("township", "industry", "grid"), pk=pk)
    if not jurisdiction.can_access_enterprise(request.user, enterprise):
        raise PermissionDenied
    data = selectors.enterprise_file(enterprise, request.user, clock.now())
    return render(request, "enforcement/enterprise_file.html", {
        "enterprise": enterprise, **data, "levels": selectors.STRIP_LABELS,
        "colour_label": Colour(data["colour"]).label if data["colour"] else "",
        "strip_cells": {k: list(zip(data["periods"][k], data["strip"][k])) for k in ("quarters", "months")},
        "staff": services.may_handle_cases(request.user)})


def _strip_rows(user):
    now = clock.now()
    enterprises = list(jurisdiction.visible_enterprises(user).select_related("township")
                       .order_by("township__name", "name")
                       .only("pk", "credit_code", "name", "latitude", "longitude", "township__name"))
    return enterprises, selectors.compliance_strips([e.pk for e in enterprises], now), selectors.strip_periods(now)


@login_required
def strips_csv(request):
    enterprises, strips, periods = _strip_rows(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="compliance-strips.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("credit code"), _("enterprise"), _("township"), *periods["quarters"], *periods["months"]])
    labels = selectors.STRIP_LABELS
    for e in enterprises:
        s = strips[e.pk]
        writer.writerow(csv_row([e.credit_code, e.name, e.township.name, *(labels[v] for v in s["quarters"]),
                                 *(labels[v] for v in s["months"])]))
    return response


@login_required
def strips_geojson(request):
    enterprises, strips, periods = _strip_rows(request.user)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [e.longitude, e.latitude]},
                 "properties": {"credit_code": e.credit_code, "name": e.name, "township": e.township.name,
                                "quarters": dict(zip(periods["quarters"], strips[e.pk]["quarters"])),
                                "months": dict(zip(periods["months"], strips[e.pk]["months"]))}}
                for e in enterprises]
    response = JsonResponse({"type": "FeatureCollection", "features": features},
                            json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="compliance-strips.geojson"'
    return response


@login_required
def plan_detail(request):
    _staff(request)
    year, month = _month(request)
    plan = InspectionPlan.objects.filter(year=year, month=month).first()
    items = (plan.items.select_related("enterprise__township", "enterprise__eco_code", "lead_officer",
                                       "second_officer", "inspection") if plan else [])
    return render(request, "enforcement/plan.html", {
        "plan": plan, "items": items, "year": year, "month": month,
        "may_draw": jurisdiction.is_bureau(request.user) and not (plan and plan.drawn_at)})


@login_required
@require_POST
def plan_draw(request):
    year, month = _month(request)
    try:
        services.plan_draw(year=year, month=month, user=request.user)
    except WorkflowError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    return redirect(f"{reverse('enforcement:plan')}?year={year}&month={month}")


@login_required
def case_list(request):
    _staff(request)
    cases = Case.objects.select_related("enterprise", "article").order_by("-lead_at")[:200]
    return render(request, "enforcement/case_list.html", {"cases": cases})


CASE_STEPS = {
    "file": lambda case, user, d: services.case_file(case=case, user=user, filing_number=d["filing_number"],
                                                     article=d["article"], filed_on=d["filed_on"]),
    "drop": lambda case, user, d: services.case_drop(case=case, user=user, reason=d["reason"]),
    "notify_hearing": lambda case, user, d: services.case_notify_hearing(case=case, user=user,
                                                                         notified_on=d["notified_on"]),
    "record_hearing": lambda case, user, d: services.case_record_hearing(case=case, user=user, held_on=d["held_on"]),
    "decide": lambda case, user, d: services.case_decide(case=case, user=user, **d),
    "execute": lambda case, user, d: services.case_execute(case=case, user=user, **d),
}


@login_required
def case_detail(request, pk: int):
    """The case with its steps; enforcement staff take the next step with its form (POST ``step``)."""
    case = get_object_or_404(Case.objects.select_related("enterprise", "article", "inspection", "work_order"), pk=pk)
    if not jurisdiction.can_access_enterprise(request.user, case.enterprise):
        raise PermissionDenied
    staff = services.may_handle_cases(request.user)
    suggestion = selectors.suggested_discretion(case.enterprise, case.article) if case.article and staff else None
    offered = {step: form for step, (form, states) in STEPS.items() if staff and case.state in states}
    forms, status = {}, 200
    for step, form in offered.items():
        initial = {"amount": suggestion["amount"]} if step == "decide" and suggestion else None
        forms[step] = form(initial=initial)
    if request.method == "POST":
        step = request.POST.get("step", "")
        if not staff:
            raise PermissionDenied(STAFF_DENIED)
        if step not in offered:
            messages.error(request, _("This step is not possible now."))
            return redirect("enforcement:case-detail", pk=case.pk)
        form = offered[step](request.POST)
        if form.is_valid():
            try:
                CASE_STEPS[step](case, request.user, form.cleaned_data)
                return redirect("enforcement:case-detail", pk=case.pk)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
        forms[step], status = form, 400
    return render(request, "enforcement/case_detail.html", {
        "case": case, "staff": staff, "suggestion": suggestion, "evidence": case.evidence.all(),
        "handlers": case.handlers.all(), "forms": forms}, status=status)


@login_required
def officer_stats(request):
    _staff(request)
    year, month = _month(request)
    table = [(r["officer"], [(c, r[c]) for c in selectors.STAT_COLUMNS])
             for r in selectors.officer_monthly_stats(year, month)]
    return render(request, "enforcement/officer_stats.html", {
        "table": table, "year": year, "month": month, "labels": [selectors.STAT_LABELS[c] for c in selectors.STAT_COLUMNS]})


@login_required
def officer_stats_csv(request):
    _staff(request)
    year, month = _month(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="officer-stats-{year}-{month:02d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("officer"), *(selectors.STAT_LABELS[c] for c in selectors.STAT_COLUMNS)])
    for row in selectors.officer_monthly_stats(year, month):
        officer = row["officer"]
        writer.writerow(csv_row([officer.get_full_name() or officer.username,
                                 *(row[c] for c in selectors.STAT_COLUMNS)]))
    return response


@login_required
def officer_stat_cell(request, officer_id: int, column: str):
    _staff(request)
    if column not in selectors.STAT_COLUMNS:
        raise Http404
    year, month = _month(request)
    officer = get_object_or_404(User, pk=officer_id)
    rows = selectors.officer_stat_rows(officer, year, month, column)
    joint_parts = selectors.officer_stat_joint_parts(officer, year, month, column)
    return render(request, "enforcement/officer_stat_cell.html", {
        "officer": officer, "column": selectors.STAT_LABELS[column], "rows": rows, "joint_parts": joint_parts,
        "year": year, "month": month, "cases": column.startswith("case")})


def positive_list(request):
    """The published positive list: public (name, township, since when)."""
    entries = (PositiveListEntry.objects.filter(state=PositiveListEntry.State.LISTED)
               .select_related("enterprise__township").order_by("enterprise__township__name", "enterprise__name"))
    return render(request, "enforcement/positive_list.html", {"entries": entries})


@login_required
def subsidy_csv(request):
    if not jurisdiction.is_bureau(request.user):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="green-subsidy-eligible.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("credit code"), _("enterprise"), _("township"), _("colour"), _("score")])
    for r in selectors.subsidy_eligible(clock.now()):
        writer.writerow(csv_row([r["credit_code"], r["name"], r["township__name"], Colour(r["eco_code__colour"]).label,
                                 r["eco_code__score"]]))
    return response


@login_required
def joint_list(request):
    """The joint inspections I take part in; enforcement staff invite from here."""
    staff = services.may_handle_cases(request.user)
    if not staff and request.user.role != Role.TOWNSHIP:
        raise PermissionDenied(STAFF_DENIED)
    form, status = (JointInviteForm(request.POST or None) if staff else None), 200
    if request.method == "POST":
        if not staff:
            raise PermissionDenied(STAFF_DENIED)
        if form.is_valid():
            d = form.cleaned_data
            enterprise = jurisdiction.visible_enterprises(request.user).filter(credit_code=d["credit_code"]).first()
            if enterprise is None:
                form.add_error("credit_code", _("No enterprise of your jurisdiction has this code."))
            else:
                try:
                    joint = services.joint_inspection_invite(
                        user=request.user, enterprise=enterprise, planned_on=d["planned_on"], purpose=d["purpose"],
                        townships=d["townships"], counties=d["counties"].splitlines())
                    return redirect("enforcement:joint-detail", pk=joint.pk)
                except WorkflowError as exc:
                    form.add_error(None, str(exc))
        status = 400
    joints = selectors.joint_inspections_for(request.user).prefetch_related("parts__township")[:100]
    return render(request, "enforcement/joint_list.html", {"joints": joints, "form": form}, status=status)


@login_required
def joint_detail(request, pk: int):
    """A joint inspection with the parts I may see; my party writes and signs its part here (POST
    ``part`` and ``step`` record or sign)."""
    joint = get_object_or_404(selectors.joint_inspections_for(request.user), pk=pk)
    parts = list(selectors.joint_parts_for(joint, request.user))
    forms, status = {}, 200
    for part in parts:
        if part.signed_at is None and services.may_act_for(request.user, part):
            forms[part.pk] = {"record": JointPartForm(initial={"findings": part.findings,
                                                               "problems_found": part.problems_found}),
                              "sign": JointSignForm() if part.party == part.Party.COUNTY else None}
    if request.method == "POST":
        part = next((p for p in parts if str(p.pk) == request.POST.get("part")), None)
        step = request.POST.get("step")
        if part is None or part.pk not in forms or step not in ("record", "sign"):
            raise PermissionDenied(_("Only the party itself writes and signs its part."))
        form = (JointPartForm if step == "record" else JointSignForm)(request.POST)
        if form.is_valid():
            try:
                if step == "record":
                    services.joint_part_record(part=part, user=request.user, **form.cleaned_data)
                else:
                    services.joint_part_sign(part=part, user=request.user, **form.cleaned_data)
                return redirect("enforcement:joint-detail", pk=joint.pk)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
        forms[part.pk][step], status = form, 400
    return render(request, "enforcement/joint_detail.html", {
        "joint": joint, "parts": [(p, forms.get(p.pk)) for p in parts]}, status=status)
