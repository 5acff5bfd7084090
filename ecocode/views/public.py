"""The public page behind the QR code at the gate: no login, nothing private, a complaint form.

Shows the enterprise's name, credit code, industry, township, colour, each outlet's limits against its
latest hourly averages, and which monitoring devices report. Never contacts, phones, e-mails,
addresses of persons, scores' internal evidence or notes. Complaints are rate-limited per client IP, and so
are page views (generously: a scraper walking every enterprise's token is stopped, a crowd at a gate is not).
"""
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dispatch.services import file_complaint
from enforcement import clock

from .. import selectors
from ..forms import ComplaintForm
from ..models import EcoCode

log = logging.getLogger(__name__)

COMPLAINTS_PER_HOUR = getattr(settings, "ECOCODE_COMPLAINTS_PER_HOUR", 5)
VIEWS_PER_MINUTE = getattr(settings, "ECOCODE_PUBLIC_VIEWS_PER_MINUTE", 120)


def _over_view_limit(request) -> bool:
    """Counts this page view against its IP's allowance for the current minute."""
    minute = int(clock.now().timestamp() // 60)
    key = f"ecocode:views:{request.META.get('REMOTE_ADDR', '')}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) > VIEWS_PER_MINUTE
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        return False


def _over_rate_limit(request) -> bool:
    """Counts this request against its IP's hourly allowance; True when the allowance is used up."""
    key = f"ecocode:complaints:{request.META.get('REMOTE_ADDR', '')}"
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
            filed = file_complaint(text=form.cleaned_data["text"], channel="qr", enterprise=enterprise,
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
