"""Pages of bureau staff, officers and enterprises: an enterprise's eco-code with its score, the
indicators that cost points, history and consequences; its QR code (PNG, SVG) and printable A4 poster;
an on-demand re-score (bureau staff). Every page checks jurisdiction."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from .. import qr, selectors
from ..rules import describe
from ..services import scoring


def _enterprise(request, pk: int) -> Enterprise:
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


@login_required
def detail(request, pk: int):
    enterprise = _enterprise(request, pk)
    code = scoring.ensure_code(enterprise)
    history = selectors.score_history(enterprise)
    latest = history[0] if history else None
    explanation = [dict(e, reason=describe(e)) for e in (latest.explanation if latest else [])]
    return render(request, "ecocode/detail.html", {
        "enterprise": enterprise, "code": code, "latest": latest, "explanation": explanation, "history": history,
        "changes": selectors.colour_history(enterprise)[:20], "band": selectors.consequence_for(enterprise),
        "can_rescore": jurisdiction.is_bureau(request.user), "public_url": qr.public_url(code),
    })


@login_required
@require_POST
def rescore(request, pk: int):
    enterprise = _enterprise(request, pk)
    if not jurisdiction.is_bureau(request.user):
        raise PermissionDenied
    scoring.score_enterprise(enterprise)
    return redirect("ecocode:detail", pk=pk)


@login_required
def qr_png(request, pk: int):
    code = scoring.ensure_code(_enterprise(request, pk))
    return HttpResponse(qr.png(qr.public_url(code)), content_type="image/png")


@login_required
def qr_svg(request, pk: int):
    code = scoring.ensure_code(_enterprise(request, pk))
    return HttpResponse(qr.svg(qr.public_url(code)), content_type="image/svg+xml")


@login_required
def poster(request, pk: int):
    """A printable A4 poster for the enterprise's gate (bureau staff and officers print it)."""
    enterprise = _enterprise(request, pk)
    if request.user.role == Role.ENTERPRISE and not request.user.is_superuser:
        raise PermissionDenied
    code = scoring.ensure_code(enterprise)
    return render(request, "ecocode/poster.html", {"enterprise": enterprise, "code": code,
                                                   "public_url": qr.public_url(code)})
