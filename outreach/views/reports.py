"""Report pages: the form (enterprise and period), an enterprise's report as PDF or Excel (the
enterprise itself, or staff within their jurisdiction), and the summary of the staff member's
jurisdiction (the county for bureau staff)."""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import clock
from enterprises import jurisdiction

from .. import access
from ..reports import data, layout, pdf, xlsx
from ..services.periods import parse_period
from .common import staff_required

CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
RENDERERS = {"pdf": pdf.render, "xlsx": xlsx.render}


def _period(request):
    today = clock.now().date()
    return parse_period(request.GET.get("start") or f"{today.year}-01-01", request.GET.get("end") or str(today))


def _file(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'  # ASCII: credit code and dates
    return response


@login_required
def report_form(request):
    user = request.user
    if not (access.is_staff(user) or access.is_enterprise(user)):
        raise Http404
    today = clock.now().date()
    enterprises = jurisdiction.visible_enterprises(user).order_by("name").only("pk", "name") \
        if access.is_staff(user) else None
    return render(request, "outreach/report_form.html", {
        "enterprises": enterprises, "start": dt.date(today.year, 1, 1), "end": today,
        "last_year": (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))})


@login_required
def enterprise_report(request, pk: int, fmt: str):
    enterprise = jurisdiction.visible_enterprises(request.user).select_related("township", "industry") \
        .filter(pk=pk).first()
    if enterprise is None or not (access.is_staff(request.user) or access.is_enterprise(request.user)):
        raise Http404
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(_("Choose a period: a start and an end date, at most three years apart."))
    report = data.enterprise_report(enterprise, *period)
    title = _("Environmental monitoring report of %(name)s") % {"name": enterprise.name}
    content = RENDERERS[fmt](title, layout.enterprise_header(report), layout.enterprise_sections(report))
    return _file(content, fmt, f"report-{enterprise.credit_code}-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}")


@staff_required
def county_report(request, fmt: str):
    user = request.user
    period = _period(request)
    if period is None:
        return HttpResponseBadRequest(_("Choose a period: a start and an end date, at most three years apart."))
    townships = jurisdiction.visible_townships(user)
    scope = _("the whole county") if jurisdiction.is_county_wide(user) else "、".join(t.name for t in townships) \
        or _("your grid")
    summary = data.county_summary(jurisdiction.visible_enterprises(user), *period)
    title = _("Enterprise monitoring summary")
    content = RENDERERS[fmt](title, layout.county_header(summary, scope), layout.county_sections(summary))
    return _file(content, fmt, f"summary-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}")
