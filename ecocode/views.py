"""Web pages of the eco-code: the public page behind the QR code at the gate (no login, nothing private, a
complaint form; rate-limited per client address), and the pages of staff and enterprises: an enterprise's
eco-code with its score, each deduction with the records it rests on (and those already charged or
relieved), its objections and repair applications, history and consequences; one record behind a
deduction; its QR code and A4 poster; an on-demand re-score; the enterprises with insufficient data for
the township to follow up; the calibration report (bureau staff). Every staff page checks jurisdiction."""
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.net import client_ip
from dispatch.services import complaint_file
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from . import qr, records, selectors
from .forms import ComplaintForm
from .models import Colour, CreditRepair, EcoCode, Objection
from .rules import describe
from .services import calibration, reviews, scoring

log = logging.getLogger(__name__)


COMPLAINTS_PER_HOUR = getattr(settings, "ECOCODE_COMPLAINTS_PER_HOUR", 5)


VIEWS_PER_MINUTE = getattr(settings, "ECOCODE_PUBLIC_VIEWS_PER_MINUTE", 120)


def _over_view_limit(request) -> bool:
    """Counts this page view against its IP's allowance for the current minute."""
    minute = int(clock.now().timestamp() // 60)
    key = f"ecocode:views:{client_ip(request)}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) > VIEWS_PER_MINUTE
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        return False


def _over_rate_limit(request) -> bool:
    """Counts this request against its IP's hourly allowance; True when the allowance is used up."""
    key = f"ecocode:complaints:{client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > COMPLAINTS_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return False


def _status_url(token: str) -> str:
    try:
        return settings.PUBLIC_BASE_URL + reverse("dispatch:complaint_status", args=[token])
    except NoReverseMatch:
        return ""


@require_http_methods(["GET", "POST"])
def public_page(request, token: str):
    if request.method == "GET" and _over_view_limit(request):
        response = HttpResponse(_("Too many requests from this network. Please try again in a minute."),
                                status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    code = get_object_or_404(EcoCode.objects.select_related("enterprise__industry", "enterprise__township"),
                             token=token)
    enterprise = code.enterprise
    form, filed, status = ComplaintForm(), None, 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        if _over_rate_limit(request):
            form.add_error(None, _("Too many complaints from this network. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            filed = complaint_file(text=form.cleaned_data["text"], channel="qr", enterprise=enterprise,
                                   photo=form.cleaned_data["photo"], contact=form.cleaned_data["contact"])
            log.info("complaint %s filed from the QR page of enterprise %s", filed.pk, enterprise.pk)
            form = ComplaintForm()
        else:
            status = 400
    return render(request, "ecocode/public.html", {
        "code": code, "enterprise": enterprise, "outlets": selectors.outlet_status(enterprise),
        "band": selectors.consequence_for(enterprise), "form": form, "filed": filed,
        "status_url": _status_url(filed.access_token) if filed else "",
    }, status=status)


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
        "fields": records.fields_of(obj), "hours": records.period_hours(obj) if kind == "exceedance" else [],
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
