"""Objections and credit repair: the enterprise's forms (from a deduction of its explanation page), the
pages of one application (the enterprise and the reviewers see the same: reasons, attachments, the
decision with its reason and the audit trail) and the reviewers' queue with its deadlines."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import AuditEntry
from core import clock
from enterprises import jurisdiction
from enterprises.models import Role

from .forms import DecisionForm, ObjectionForm, RepairForm
from .models import CreditRepair, Objection, ReviewAttachment
from .records import shown
from .services import reviews
from .views import enterprise_for

KINDS = {"objection": Objection, "repair": CreditRepair}


def _own_enterprise(request, pk):
    enterprise = enterprise_for(request, pk)
    if request.user.role != Role.ENTERPRISE or request.user.enterprise_id != enterprise.pk:
        raise PermissionDenied  # only the enterprise itself objects or applies
    return enterprise


def _deduction(enterprise, code):
    try:
        return reviews.deduction_of(enterprise, code)[1]
    except ValidationError:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request, pk: int):
    enterprise = _own_enterprise(request, pk)
    code = request.GET.get("code", "")
    if not code:
        return redirect(f"/ecocode/enterprise/{pk}/#deductions")
    entry = _deduction(enterprise, code)
    form, status = ObjectionForm(), 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                objection = reviews.objection_submit(enterprise=enterprise, code=code, user=request.user,
                                                     reasons=form.cleaned_data["reasons"],
                                                     files=form.cleaned_data["files"])
                return redirect("ecocode:review", kind="objection", pk=objection.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
        status = 400
    return render(request, "ecocode/objection_form.html", {
        "enterprise": enterprise, "entry": dict(entry, records=shown(entry["records"])), "form": form,
        "kind": "objection", "review_days": reviews.REVIEW_DAYS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def repair_new(request, pk: int):
    enterprise = _own_enterprise(request, pk)
    code = request.GET.get("code", "")
    entry = _deduction(enterprise, code)
    eligibility = reviews.repair_eligibility(enterprise, code)
    form, status = RepairForm(), 200
    if request.method == "POST" and eligibility.ok:
        form = RepairForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                repair = reviews.repair_apply(enterprise=enterprise, code=code, user=request.user,
                                              **{k: form.cleaned_data[k] for k in
                                                 ("correction", "corrected_on", "reasons", "files")})
                return redirect("ecocode:review", kind="repair", pk=repair.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
        status = 400
    return render(request, "ecocode/objection_form.html", {
        "enterprise": enterprise, "entry": dict(entry, records=shown(entry["records"])), "form": form,
        "kind": "repair", "eligibility": eligibility, "review_days": reviews.REVIEW_DAYS,
        "wait_days": reviews.WAIT_DAYS, "wait_days_capped": reviews.WAIT_DAYS_CAPPED}, status=status)


def _review_for(request, kind, pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    review = get_object_or_404(model.objects.select_related("enterprise", "score", "reviewed_by", "rescore"), pk=pk)
    if not jurisdiction.can_access_enterprise(request.user, review.enterprise):
        raise PermissionDenied
    return review


@login_required
@require_http_methods(["GET", "POST"])
def review(request, kind: str, pk: int):
    item = _review_for(request, kind, pk)
    can_decide = item.state == item.State.SUBMITTED and reviews.can_review(request.user, item.enterprise)
    form, status = DecisionForm(), 200
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                reviews.decide(item, user=request.user, accept=form.cleaned_data["decision"] == "accept",
                               reason=form.cleaned_data["reason"])
                return redirect("ecocode:review", kind=kind, pk=pk)
            except ValidationError as exc:
                form.add_error(None, exc)
        status = 400
    entry = next((e for e in item.score.explanation if e["code"] == item.indicator_code), None)
    trail = [(t, _trail_changes(item, t.changes)) for t in
             AuditEntry.objects.filter(model_label=item._meta.label, object_id=str(item.pk)).order_by("at", "id")]
    return render(request, "ecocode/review.html", {
        "item": item, "kind": kind, "entry": dict(entry, records=shown(entry["records"])) if entry else None,
        "attachments": item.attachments.all(), "trail": trail, "form": form if can_decide else None,
        "overdue": item.state == item.State.SUBMITTED and item.review_due_at < clock.now(),
    }, status=status)


def _trail_changes(item, changes: dict) -> list[tuple[str, str]]:
    """The changes of an audit entry a reader follows: the state (in words) and the decision's reason."""
    states = dict(item.State.choices)
    out = []
    if "state" in changes:
        out.append((str(item._meta.get_field("state").verbose_name), str(states.get(changes["state"][1], ""))))
    if changes.get("decision_reason", [None, None])[1]:
        out.append((str(item._meta.get_field("decision_reason").verbose_name), changes["decision_reason"][1]))
    return out


@login_required
def review_queue(request):
    """Applications awaiting a decision in my jurisdiction, the overdue first (reviewers only)."""
    if request.user.role not in (Role.BUREAU, Role.TOWNSHIP) and not request.user.is_superuser:
        raise PermissionDenied
    rows = []
    for kind, model in KINDS.items():
        qs = jurisdiction.restrict(model.objects.filter(state="submitted"), request.user).select_related("enterprise")
        rows += [(kind, r) for r in qs]
    rows.sort(key=lambda kr: kr[1].review_due_at)
    return render(request, "ecocode/review_queue.html", {"rows": rows, "now": clock.now()})


@login_required
def attachment(request, pk: int):
    item = get_object_or_404(ReviewAttachment.objects.select_related("objection__enterprise", "repair__enterprise"),
                             pk=pk)
    owner = (item.objection or item.repair).enterprise
    if not jurisdiction.can_access_enterprise(request.user, owner):
        raise PermissionDenied
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
