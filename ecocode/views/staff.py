"""Pages of bureau staff, officers and enterprises: an enterprise's eco-code with its score, each
deduction with the records it rests on (and those already charged or relieved), its objections and
repair applications, history and consequences; one record behind a deduction; its QR code (PNG, SVG)
and printable A4 poster; an on-demand re-score (bureau staff); the enterprises with insufficient data
for the township to follow up; the calibration report (bureau staff). Every page checks jurisdiction."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from .. import qr, records, selectors
from ..models import Colour, CreditRepair, Objection
from ..rules import describe
from ..services import calibration, reviews, scoring


def enterprise_for(request, pk: int) -> Enterprise:
    enterprise = get_object_or_404(Enterprise.objects.select_related("township", "industry"), pk=pk)
    if not jurisdiction.can_access_enterprise(request.user, enterprise):
        raise PermissionDenied
    return enterprise


@login_required
def mine(request):
    """An enterprise account's own eco-code."""
    if request.user.role != Role.ENTERPRISE or not request.user.enterprise_id:
        raise Http404
    return redirect("ecocode:detail", pk=request.user.enterprise_id)


def explained(entry: dict) -> dict:
    """An explanation entry as pages and the API show it: its reason and its records, in Chinese."""
    cap = entry.get("cap") or ""
    return dict(entry, reason=describe(entry), cap_label=Colour(cap).label if cap in Colour.values else "",
                records=records.shown(entry.get("records", [])),
                already_charged=records.shown(entry.get("already_charged", [])),
                relieved=records.shown(entry.get("relieved", [])))


@login_required
def detail(request, pk: int):
    enterprise = enterprise_for(request, pk)
    code = scoring.ensure_code(enterprise)
    history = selectors.score_history(enterprise)
    latest = history[0] if history else None
    own = request.user.role == Role.ENTERPRISE and request.user.enterprise_id == enterprise.pk
    explanation = [dict(explained(e), can_repair=own and e["points"] > 0
                        and reviews.repair_eligibility(enterprise, e["code"]).ok)
                   for e in (latest.explanation if latest else [])]
    return render(request, "ecocode/detail.html", {
        "enterprise": enterprise, "code": code, "latest": latest, "explanation": explanation, "history": history,
        "changes": selectors.colour_history(enterprise)[:20], "band": selectors.consequence_for(enterprise),
        "can_rescore": jurisdiction.is_bureau(request.user), "public_url": qr.public_url(code), "own": own,
        "objections": Objection.objects.filter(enterprise=enterprise)[:20],
        "repairs": CreditRepair.objects.filter(enterprise=enterprise)[:20],
    })


@login_required
def record(request, kind: str, ident: str):
    """One record a deduction rests on, as the platform holds it."""
    found = records.find(kind, ident)
    if found is None:
        raise Http404
    obj, enterprise_id = found
    enterprise = enterprise_for(request, enterprise_id)
    return render(request, "ecocode/record.html", {
        "enterprise": enterprise, "kind": kind, "label": records.label(kind), "obj": obj,
        "fields": records.fields_of(obj), "hours": records.episode_hours(obj, ident) if kind == "hours" else [],
    })


@login_required
def insufficient(request):
    """Enterprises of my jurisdiction graded "insufficient data", for the township to follow up."""
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    return render(request, "ecocode/insufficient.html", {"rows": selectors.insufficient_data(request.user)})


@login_required
def calibration_page(request):
    """The county's colour distribution and what each weight and band does to it (bureau staff)."""
    if not jurisdiction.is_bureau(request.user):
        raise PermissionDenied
    return render(request, "ecocode/calibration.html", {"report": calibration.report()})


@login_required
@require_POST
def rescore(request, pk: int):
    enterprise = enterprise_for(request, pk)
    if not jurisdiction.is_bureau(request.user):
        raise PermissionDenied
    scoring.score_enterprise(enterprise)
    return redirect("ecocode:detail", pk=pk)


@login_required
def qr_png(request, pk: int):
    code = scoring.ensure_code(enterprise_for(request, pk))
    return HttpResponse(qr.png(qr.public_url(code)), content_type="image/png")


@login_required
def qr_svg(request, pk: int):
    code = scoring.ensure_code(enterprise_for(request, pk))
    return HttpResponse(qr.svg(qr.public_url(code)), content_type="image/svg+xml")


@login_required
def poster(request, pk: int):
    """A printable A4 poster for the enterprise's gate (bureau staff and officers print it)."""
    enterprise = enterprise_for(request, pk)
    if request.user.role == Role.ENTERPRISE and not request.user.is_superuser:
        raise PermissionDenied
    code = scoring.ensure_code(enterprise)
    return render(request, "ecocode/poster.html", {"enterprise": enterprise, "code": code,
                                                   "public_url": qr.public_url(code)})
