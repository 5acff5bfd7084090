"""JSON endpoints of the dashboard: map points (the whole county, or one viewport's clusters or points), an
enterprise's side panel, an outlet's series, the ranked candidate sources of a station jump. Thin: parse,
check jurisdiction, call a selector, answer."""
import datetime as dt
import gzip
import hashlib
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from core import clock
from enterprises.models import Pollutant

from .. import filters, selectors, tracing, viewport
from ..access import dashboard_view

MAP_MAX_AGE = 60
GZIP_LEVEL = 1  # fast: level 6 saves another ~20% of the bytes at ~5× the time


def _compact(data) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})


def cached_json(request, body: bytes) -> HttpResponse:
    """``body`` (JSON) with an ETag (a repeat request with If-None-Match gets 304) and a short private cache
    lifetime; gzipped at a fast level when the client accepts it."""
    etag = f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'  # weak: same for gzip and identity
    response = get_conditional_response(request, etag=etag)
    if response is None:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
                                    content_type="application/json")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={MAP_MAX_AGE}"
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    return response


def _with_rows(head: dict, rows_json: str) -> bytes:
    """``head`` as compact JSON with the already built ``rows`` array text appended."""
    return _compact(head)[:-1] + b',"rows":' + rows_json.encode() + b"}"


@require_GET
@dashboard_view
def map_data(request):
    """All visible enterprises matching the filters as compact rows (see ``selectors.MAP_FIELDS``), cached
    and gzipped by ``cached_json`` (10,250 rows: ~0.4 MB → ~0.1 MB)."""
    try:
        wanted = filters.parse(request.GET)
    except filters.FilterError as exc:
        return bad_request(str(exc))
    rows, count = selectors.map_rows_json(request.user, wanted)
    head = {"fields": selectors.MAP_FIELDS, "colours": selectors.COLOURS, "classes": selectors.CLASSES,
            "count": count}
    return cached_json(request, _with_rows(head, rows))


@require_GET
@dashboard_view
def map_view(request):
    """What one screen shows: ``bbox=west,south,east,north`` and ``zoom`` with the map's filters; clusters
    computed in the database below ``viewport.POINTS_FROM_ZOOM``, the enterprises in the box from it on
    (see ``viewport.map_view``). Bad input is a 400 with the reason in the user's language."""
    try:
        wanted, view = filters.parse(request.GET), filters.parse_viewport(request.GET)
    except filters.FilterError as exc:
        return bad_request(str(exc))
    answer = viewport.map_view(request.user, wanted, view)
    rows_json = answer.pop("rows_json", None)
    if rows_json is None:
        return cached_json(request, _compact(answer))
    return cached_json(request, _with_rows(answer, rows_json))


@require_GET
@dashboard_view
def enterprise_panel(request, pk: int):
    enterprise = selectors.visible_enterprise(request.user, pk)
    if enterprise is None:
        raise Http404
    return JsonResponse(selectors.enterprise_panel(request.user, enterprise, clock.now()),
                        json_dumps_params={"ensure_ascii": False})


def parse_period(params, *, default_days: int, max_days: int) -> tuple[dt.datetime, dt.datetime]:
    """``start``/``end`` (dates or datetimes; end exclusive, a date end includes that day) → aware datetimes.
    Raises ValueError with the reason."""
    def parse(name):
        raw = params.get(name, "").strip()
        if not raw:
            return None
        day = parse_date(raw) if len(raw) == 10 else None  # parse_datetime reads a bare date as its midnight
        value = None if day else parse_datetime(raw)
        if value is None:
            if day is None:
                raise ValueError(f"{name} must be a date (YYYY-MM-DD) or a date-time, got {raw!r}")
            value = dt.datetime.combine(day + dt.timedelta(days=1 if name == "end" else 0), dt.time())
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    end = parse("end") or clock.now()
    start = parse("start") or end - dt.timedelta(days=default_days)
    if start >= end:
        raise ValueError("start must be before end")
    if end - start > dt.timedelta(days=max_days):
        raise ValueError(f"the period may span at most {max_days} days")
    return start, end


@require_GET
@dashboard_view
def outlet_series(request, pk: int):
    outlet = selectors.visible_outlet(request.user, pk)
    if outlet is None:
        raise Http404
    period = request.GET.get("period", "hour")
    if period not in selectors.SERIES_PERIODS:
        return bad_request(f"period must be one of {', '.join(selectors.SERIES_PERIODS)}")
    pollutant = selectors.outlet_pollutants(outlet).filter(code=request.GET.get("pollutant", "")).first()
    if pollutant is None:
        return bad_request("pollutant must be a pollutant this outlet has a permit limit for")
    try:
        start, end = parse_period(request.GET, default_days=7, max_days=selectors.MAX_SERIES_DAYS[period])
    except ValueError as exc:
        return bad_request(str(exc))
    return JsonResponse(selectors.outlet_series(outlet, pollutant, start, end, period),
                        json_dumps_params={"ensure_ascii": False})


def parse_trace_request(request, station_pk: int):
    """(station, pollutant code, jump time) of a tracing request, or raises Http404 / ValueError."""
    station = tracing.visible_stations(request.user).filter(pk=station_pk).first()
    if station is None:
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    code = params.get("pollutant", "")
    if not Pollutant.objects.filter(code=code, is_parameter=False).exists():
        raise ValueError(f"unknown pollutant {code!r}")
    at = parse_datetime(params.get("at", ""))
    if at is None:
        raise ValueError("at must be a date-time such as 2026-03-01T08:00:00+08:00")
    return station, code, timezone.make_aware(at) if timezone.is_naive(at) else at


@require_GET
@dashboard_view
def trace_candidates(request, pk: int):
    try:
        station, code, at = parse_trace_request(request, pk)
    except ValueError as exc:
        return bad_request(str(exc))
    return JsonResponse(tracing.rank_sources(request.user, station, code, at),
                        json_dumps_params={"ensure_ascii": False})
