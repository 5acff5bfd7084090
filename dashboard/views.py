"""Pages of the dashboard: the one map, the township risk map, KPIs, the monthly ranking (and its CSV
and Excel exports), an outlet's chart and pollution-source tracing. Thin: every read is a selector."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from core import clock
from ecocode.models import Colour
from enterprises import jurisdiction
from enterprises.models import Industry, Role
from enterprises.models.enterprises import ManagementClass
from outreach import selectors as outreach_selectors
from outreach.services.questions import answer_window

from . import exports, kpis, risk, selectors, services, tracing, viewport
from .access import dashboard_view, may_use_dashboard
from .api.views import parse_period, parse_trace_request


def home(request):
    """The site root, by role: the dashboard for bureau, enforcement, township and grid officers; an
    enterprise's own eco-code page for its accounts; the admin for other staff; else the login page."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if may_use_dashboard(user):
        return redirect("dashboard:map")
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return redirect("ecocode:mine")
    return redirect("admin:index")


def _common(request, active: str) -> dict:
    return {"active": active, "county_wide": jurisdiction.is_county_wide(request.user)}


@require_GET
@dashboard_view
def map_page(request):
    user = request.user
    industries = Industry.objects.filter(
        pk__in=jurisdiction.visible_enterprises(user).order_by().values("industry_id")).order_by("code")
    labels = {
        "colours": {c.value: str(c.label) for c in Colour}, "none": _("not scored"),
        "classes": {c.value: str(c.label) for c in ManagementClass},
        "permit": _("Permit"), "limits": _("Latest readings against limits"), "alerts": _("Open warnings"),
        "orders": _("Work orders"), "history": _("Colour history"), "no_data": _("no data"),
        "none_open": _("none"), "exceeds": _("over the limit"), "overdue": _("overdue"),
        "chart": _("chart"), "expires": _("expires"), "score": _("score"), "loading": _("loading…"),
        "shown": _("enterprises shown"), "error": _("Could not load the data"),
        "annual": _("Annual permitted quantity"),
        "warned": _("with open warnings"), "zoom_in": _("click to zoom in"), "reset_view": _("Reset view"),
    }
    return render(request, "dashboard/map.html", {
        **_common(request, "map"),
        "townships": jurisdiction.visible_townships(user).order_by("code"),
        "industries": industries, "colours": Colour.choices, "classes": ManagementClass.choices,
        "labels": labels, "outlines": selectors.township_outlines(user),
        "extent": viewport.map_extent(user),
        "urls": {"view": reverse("dashboard:map-view"), "panel": reverse("dashboard:enterprise-panel", args=[0]),
                 "chart": reverse("dashboard:outlet-chart", args=[0])},
    })


@require_GET
@dashboard_view
def risk_page(request):
    rows = kpis.township_stats(request.user, now=clock.now())
    outlines = {t["id"]: t for t in selectors.township_outlines(request.user)}
    shapes = [{"id": r["id"], "name": r["name"], "colour": r["risk_colour"], "index": r["risk_index"],
               "boundary": outlines[r["id"]]["boundary"], "lat": outlines[r["id"]]["latitude"],
               "lon": outlines[r["id"]]["longitude"]} for r in rows]
    return render(request, "dashboard/risk.html", {
        **_common(request, "risk"), "rows": rows, "shapes": shapes, "rule": risk.rule_text(),
        "colour_labels": {c.value: str(c.label) for c in Colour},
    })


@require_GET
@dashboard_view
def kpi_page(request):
    now = clock.now()
    months = kpis.monthly_kpis(request.user, now=now, months=12)
    questions = outreach_selectors.visible_questions(request.user)
    answers = outreach_selectors.answer_kpi(questions, since=kpis.month_start(timezone.localtime(now).date()), now=now)
    return render(request, "dashboard/kpis.html", {
        **_common(request, "kpis"), "months": months, "current": months[-1], "answers": answers,
        "answer_hours": int(answer_window().total_seconds() // 3600),
        "answers_overdue": outreach_selectors.answer_kpi(questions, now=now)["overdue"],
        "townships": kpis.township_stats(request.user, now=now),
        "colour_labels": {c.value: str(c.label) for c in Colour},
        "chart_labels": {"warnings_sent": _("Warnings sent"), "answered_rate": _("Answered in time"),
                         "fixed_rate": _("Enterprises fixed after a warning"),
                         "self_check_rate": _("Self-check completion"), "off_site_share": _("Off-site share of key-enterprise inspections"),
                         "on_time_rate": _("Work orders on time"), "opened": _("Work orders opened"),
                         "overdue": _("Overdue work orders")},
    })


RANKING_COLUMNS = [
    ("rank", _lazy("Rank")), ("name", _lazy("Township")), ("enterprises", _lazy("Enterprises")),
    ("pm25", _lazy("PM2.5 (μg/m³)")), ("pm10", _lazy("PM10 (μg/m³)")), ("warnings_sent", _lazy("Warnings sent")),
    ("answered_rate", _lazy("Answered in time")), ("self_check_rate", _lazy("Self-check completion")),
    ("on_time_rate", _lazy("Work orders on time")), ("orange_red_share", _lazy("Share orange/red")),
    ("waste_shipments", _lazy("Waste shipments")), ("waste_clean_rate", _lazy("Waste shipments without warnings")),
    ("open_warnings", _lazy("Open warnings")), ("overdue_orders", _lazy("Overdue work orders")),
    ("risk_index", _lazy("Risk index")), ("risk_colour", _lazy("Risk colour")),
]


def _ranking_args(request) -> tuple[int, int, str]:
    today = timezone.localtime(clock.now()).date()
    raw = request.GET.get("month", "")
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date() if raw else today.replace(day=1)
    except ValueError:
        raise Http404("month must be YYYY-MM") from None
    by = request.GET.get("by", "risk_index")
    if by not in kpis.RANK_KEYS:
        raise Http404("unknown ranking key")
    return month.year, month.month, by


@require_GET
@dashboard_view
def ranking_page(request):
    year, month, by = _ranking_args(request)
    rows = kpis.township_ranking(request.user, year=year, month=month, now=clock.now(), by=by)
    return render(request, "dashboard/ranking.html", {
        **_common(request, "ranking"), "rows": rows, "month": f"{year:04d}-{month:02d}", "by": by,
        "keys": [(k, dict(RANKING_COLUMNS)[k]) for k in kpis.RANK_KEYS],
        "colour_labels": {c.value: str(c.label) for c in Colour},
    })


def _ranking_table(request):
    year, month, by = _ranking_args(request)
    rows = kpis.township_ranking(request.user, year=year, month=month, now=clock.now(), by=by)
    colour_labels = {c.value: str(c.label) for c in Colour}
    header = [str(label) for _key, label in RANKING_COLUMNS]
    table = [[colour_labels.get(r[k], r[k]) if k == "risk_colour" else r[k] for k, _label in RANKING_COLUMNS]
             for r in rows]
    return f"township-ranking-{year:04d}-{month:02d}-{by}", header, table


@require_GET
@dashboard_view
def ranking_csv(request):
    name, header, table = _ranking_table(request)
    return exports.csv_response(f"{name}.csv", header, table)


@require_GET
@dashboard_view
def ranking_xlsx(request):
    name, header, table = _ranking_table(request)
    return exports.xlsx_response(f"{name}.xlsx", _("Township ranking"), header, table)


@require_GET
@dashboard_view
def outlet_chart(request, pk: int):
    outlet = selectors.visible_outlet(request.user, pk)
    if outlet is None:
        raise Http404
    pollutants = list(selectors.outlet_pollutants(outlet))
    today = timezone.localtime(clock.now()).date()
    return render(request, "dashboard/outlet_chart.html", {
        **_common(request, "map"), "outlet": outlet, "pollutants": pollutants,
        "pollutant": request.GET.get("pollutant") or (pollutants[0].code if pollutants else ""),
        "period": request.GET.get("period", "hour"), "periods": selectors.SERIES_PERIODS,
        "start": request.GET.get("start") or (today - dt.timedelta(days=6)).isoformat(),
        "end": request.GET.get("end") or today.isoformat(),
        "series_url": reverse("dashboard:outlet-series", args=[outlet.pk]),
        "labels": {"limit": _("Permit limit"), "lower": _("Lower limit"), "avg": _("Average"),
                   "range": _("Min–max"), "no_data": _("No readings in this period."), "error": _("Could not load the data")},
    })


TRACE_POLLUTANTS = ("a34004", "a34002", "a21026", "a21004", "a05024", "a24088", "a21005")


@require_GET
@dashboard_view
def tracing_page(request):
    """Stations and the jumps of their values over a period (default: the last 3 days)."""
    pollutant = request.GET.get("pollutant", "a34004")
    if pollutant not in TRACE_POLLUTANTS:
        raise Http404("unknown pollutant")
    try:
        start, end = parse_period(request.GET, default_days=3, max_days=31)
    except ValueError as exc:
        return render(request, "dashboard/tracing.html", {**_common(request, "tracing"), "error": str(exc)},
                      status=400)
    stations = list(tracing.visible_stations(request.user).exclude(kind="water_quality"))
    jumps = [(s, j) for s in stations for j in tracing.station_jumps(s, pollutant, start, end)]
    jumps.sort(key=lambda sj: sj[1].at, reverse=True)
    return render(request, "dashboard/tracing.html", {
        **_common(request, "tracing"), "stations": stations, "jumps": jumps, "pollutant": pollutant,
        "pollutants": TRACE_POLLUTANTS, "start": start, "end": end,
    })


@require_GET
@dashboard_view
def trace_page(request, pk: int):
    try:
        station, code, at = parse_trace_request(request, pk)
    except ValueError as exc:
        return render(request, "dashboard/tracing.html", {**_common(request, "tracing"), "error": str(exc)},
                      status=400)
    result = tracing.rank_sources(request.user, station, code, at)
    return render(request, "dashboard/trace.html", {**_common(request, "tracing"), "result": result,
                                                    "station": station, "at": at, "pollutant": code})


@require_POST
@dashboard_view
def trace_open(request, pk: int):
    """Open a work order for one candidate (CSRF-protected form post from the trace page)."""
    try:
        station, code, at = parse_trace_request(request, pk)
    except ValueError as exc:
        return render(request, "dashboard/tracing.html", {**_common(request, "tracing"), "error": str(exc)},
                      status=400)
    enterprise_id = request.POST.get("enterprise", "")
    enterprise = (jurisdiction.visible_enterprises(request.user).filter(pk=enterprise_id).first()
                  if enterprise_id.isdigit() else None)
    if enterprise is None:
        raise Http404
    result = tracing.rank_sources(request.user, station, code, at, limit=10_000)
    candidate = next((c for c in result["candidates"] if c["id"] == enterprise.pk), None)
    order = services.tracing_order_open(user=request.user, station=station, enterprise=enterprise,
                                        pollutant_code=code, at=at, candidate=candidate)
    messages.success(request, _("Work order #%(id)s opened for %(name)s.") % {"id": order.pk, "name": enterprise.name})
    return redirect("dispatch:order_detail", pk=order.pk)

