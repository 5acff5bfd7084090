"""Pollution-source tracing (污染溯源): find jumps in a monitoring station's values and rank the
enterprises that most likely caused one.

A jump (``detect_jumps``) is a value that rises above the median of the ``window`` values before it by
at least ``factor`` times that median and by at least ``min_rise`` (per pollutant, in its unit); of a run
of jumping values only the first is reported.

A candidate's score (``source_score``, 0-100) multiplies four factors:

* direction — wind blows *from* ``wind_from`` (meteorological convention, station reading a01008); a
  source in that direction seen from the station is upwind. With ``d`` the angle between the bearing
  station→source and ``wind_from``: ``exp(-½ (d/σ)²)`` with ``σ = 25° + 35°/max(speed, 1)`` (a light wind
  meanders, a strong one is narrow). Calm (speed below 0.5 m/s, a01007) or no wind data: 0.5 everywhere;
* distance — ``exp(-distance / L)`` with ``L = max(1000 m, speed × 900 s)`` (the distance the wind carries
  air in a quarter of an hour, at least a kilometre);
* pollutant — 1 if the enterprise holds a permit limit for a pollutant that explains the jump
  (``EMITTED_AS``: particulate matter for PM2.5/PM10 …), else 0.25 (unpermitted emissions happen);
* own readings — ``1 + min(ratio, 2)`` where ``ratio`` is its highest hourly average at that hour over
  its permit limit for those pollutants (0 without data), so a source reading over its limit counts up
  to three times one without data.

The product is divided by 3 (the largest reading factor) and scaled to 100.
"""
import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from enterprises import jurisdiction
from enterprises.geometry import bearing_deg, distance_m
from enterprises.models import Enterprise, PermitLimit, Pollutant
from monitoring.models import Aggregate, DataKind, Reading, Station

WIND_DIRECTION, WIND_SPEED = "a01008", "a01007"
CALM_SPEED = 0.5
#: The station pollutant that jumped → the permit pollutants whose emission explains it.
EMITTED_AS = {
    "a34004": ("a34013",), "a34002": ("a34013",), "a34013": ("a34013",),
    "a21026": ("a21026",), "a21004": ("a21002", "a21004"), "a21002": ("a21002", "a21004"),
    "a05024": ("a24088", "a21002"), "a24088": ("a24088",), "a21005": ("a21005",),
}
#: Smallest rise that counts as a jump, in the pollutant's unit (μg/m³ for ambient air, mg/m³ for NMHC).
MIN_RISE = {"a34004": 15.0, "a34002": 25.0, "a21026": 10.0, "a21004": 15.0, "a05024": 30.0, "a24088": 0.3,
            "a21005": 0.5}
DEFAULT_MIN_RISE = 10.0
SEARCH_RADIUS_M = 8000.0


@dataclass(frozen=True)
class Jump:
    at: dt.datetime
    value: float
    baseline: float


def detect_jumps(series: list[tuple[dt.datetime, float]], *, window: int = 6, factor: float = 1.5,
                 min_rise: float = DEFAULT_MIN_RISE, min_history: int = 3) -> list[Jump]:
    """Jumps in a time-ordered series of (time, value); see the module docstring."""
    jumps: list[Jump] = []
    in_jump = False
    for i, (at, value) in enumerate(series):
        history = [v for _t, v in series[max(0, i - window):i] if v is not None]
        if value is None or len(history) < min_history:
            in_jump = False
            continue
        baseline = statistics.median(history)
        rise = value - baseline
        is_jump = rise >= min_rise and value >= factor * baseline
        if is_jump and not in_jump:
            jumps.append(Jump(at, value, baseline))
        in_jump = is_jump
    return jumps


def angle_between(a: float, b: float) -> float:
    """The smaller angle between two bearings, 0-180°."""
    d = abs(a - b) % 360
    return 360 - d if d > 180 else d


def source_score(*, distance: float, bearing: float, wind_from: float | None, wind_speed: float | None,
                 emits: bool, limit_ratio: float | None) -> dict:
    """Score of one candidate and its factors; see the module docstring."""
    calm = wind_from is None or wind_speed is None or wind_speed < CALM_SPEED
    if calm:
        direction = 0.5
    else:
        sigma = 25.0 + 35.0 / max(wind_speed, 1.0)
        direction = math.exp(-0.5 * (angle_between(bearing, wind_from) / sigma) ** 2)
    reach = max(1000.0, (wind_speed or 0.0) * 900.0)
    proximity = math.exp(-distance / reach)
    pollutant = 1.0 if emits else 0.25
    readings = 1.0 + min(limit_ratio or 0.0, 2.0)
    score = 100.0 * direction * proximity * pollutant * readings / 3.0
    return {"score": round(score, 2), "direction": round(direction, 3), "proximity": round(proximity, 3),
            "pollutant": pollutant, "readings": round(readings, 3), "calm": calm}


# --- reads ---------------------------------------------------------------------------------------

def visible_stations(user):
    return Station.objects.filter(township__in=jurisdiction.visible_townships(user)).select_related("township")


def station_series(station: Station, pollutant_code: str, start: dt.datetime, end: dt.datetime) -> list:
    """Hourly values of a station: its hourly aggregates (built from real-time/minute data), else the
    hourly readings it sent."""
    points = list(Aggregate.objects.filter(station=station, pollutant__code=pollutant_code, period="hour",
                                           start__gte=start, start__lt=end, valid_count__gt=0)
                  .order_by("start").values_list("start", "avg"))
    if points:
        return points
    return list(Reading.objects.filter(station=station, pollutant__code=pollutant_code, kind=DataKind.HOUR,
                                       flag="N", observed_at__gte=start, observed_at__lt=end)
                .order_by("observed_at").values_list("observed_at", "value"))


def station_jumps(station: Station, pollutant_code: str, start: dt.datetime, end: dt.datetime) -> list[Jump]:
    history_start = start - dt.timedelta(hours=6)
    series = station_series(station, pollutant_code, history_start, end)
    return [j for j in detect_jumps(series, min_rise=MIN_RISE.get(pollutant_code, DEFAULT_MIN_RISE))
            if j.at >= start]


def wind_at(station: Station, at: dt.datetime) -> tuple[float | None, float | None]:
    """(direction the wind blows from, speed) at the station: the latest values within the hour up to ``at``."""
    def value(code):
        points = station_series(station, code, at - dt.timedelta(hours=1), at + dt.timedelta(seconds=1))
        return points[-1][1] if points else None
    return value(WIND_DIRECTION), value(WIND_SPEED)


def rank_sources(user, station: Station, pollutant_code: str, at: dt.datetime, *, limit: int = 20,
                 radius_m: float = SEARCH_RADIUS_M) -> dict:
    """The visible operating enterprises within ``radius_m`` of the station ranked by ``source_score``
    for a jump of ``pollutant_code`` at ``at``. Three queries: candidates (bounding box, with whether
    they hold a matching limit), their limits and their hourly aggregates at that hour."""
    wind_from, wind_speed = wind_at(station, at)
    emitted = EMITTED_AS.get(pollutant_code, (pollutant_code,))
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(station.latitude)), 0.01))
    candidates = list(jurisdiction.visible_enterprises(user).filter(
        status=Enterprise.Status.OPERATING,
        latitude__range=(station.latitude - dlat, station.latitude + dlat),
        longitude__range=(station.longitude - dlon, station.longitude + dlon),
    ).annotate(emits=Exists(PermitLimit.objects.filter(outlet__enterprise_id=OuterRef("pk"),
                                                       pollutant__code__in=emitted)))
        .values("id", "name", "latitude", "longitude", "township__name", "emits"))
    ids = [c["id"] for c in candidates]
    limits = {(row["outlet_id"], row["pollutant_id"]): float(row["limit_value"]) for row in PermitLimit.objects.filter(
        outlet__enterprise_id__in=ids, pollutant__code__in=emitted).values("outlet_id", "pollutant_id", "limit_value")}
    hour = at.replace(minute=0, second=0, microsecond=0)
    ratios: dict[int, float] = defaultdict(float)
    for row in Aggregate.objects.filter(outlet_id__in={o for o, _p in limits}, pollutant__code__in=emitted,
                                        period="hour", start=hour, valid_count__gt=0) \
            .values("outlet_id", "outlet__enterprise_id", "pollutant_id", "avg"):
        limit_value = limits.get((row["outlet_id"], row["pollutant_id"]))
        if limit_value and row["avg"] is not None:
            ent = row["outlet__enterprise_id"]
            ratios[ent] = max(ratios[ent], row["avg"] / limit_value)
    here = (station.longitude, station.latitude)
    ranked = []
    for c in candidates:
        there = (c["longitude"], c["latitude"])
        distance = distance_m(here, there)
        if distance > radius_m:
            continue
        bearing = bearing_deg(here, there)
        factors = source_score(distance=distance, bearing=bearing, wind_from=wind_from, wind_speed=wind_speed,
                               emits=c["emits"], limit_ratio=ratios.get(c["id"]))
        ranked.append({"id": c["id"], "name": c["name"], "township": c["township__name"], "lat": c["latitude"],
                       "lon": c["longitude"], "distance_m": round(distance), "bearing": round(bearing),
                       "emits": c["emits"], "limit_ratio": round(ratios[c["id"]], 3) if c["id"] in ratios else None,
                       **factors})
    ranked.sort(key=lambda r: (-r["score"], r["distance_m"], r["id"]))
    pollutant = Pollutant.objects.filter(code=pollutant_code).values("code", "name", "unit").first()
    return {"station": {"id": station.pk, "code": station.code, "name": station.name, "lat": station.latitude,
                        "lon": station.longitude},
            "pollutant": pollutant, "at": at.isoformat(), "wind_from": wind_from, "wind_speed": wind_speed,
            "emitted_as": list(emitted), "radius_m": radius_m, "candidates_considered": len(ranked),
            "candidates": ranked[:limit]}
