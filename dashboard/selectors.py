"""Reads of the one map: the compact point list, township outlines, the side panel of one enterprise and
the series of an outlet's readings against its limits. Every read is cut by ``enterprises.jurisdiction``.
"""
import datetime as dt
import json

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDay
from django.utils import timezone

from alerts.models import OPEN_STATES, Alert
from core.db import is_postgres
from dispatch.selectors import visible_work_orders, with_overdue
from ecocode.models import Colour, ColourChange, EcoCode
from enterprises import jurisdiction, pollutant_values
from enterprises import selectors as registry_selectors
from enterprises.models import Enterprise, Outlet, PermitLimit, Pollutant
from enterprises.models.enterprises import ManagementClass
from monitoring.models import Aggregate, DataKind, Reading
from monitoring.validity import in_invalid_period

from .filters import NO_COLOUR, MapFilters, Viewport

#: Column order of a map row; colours and classes are sent as indexes into these lists.
MAP_FIELDS = ("id", "lat", "lon", "colour", "township", "industry", "class", "warnings")
COLOURS = tuple(Colour.values)
CLASSES = tuple(ManagementClass.values)


def open_alerts() -> QuerySet:
    return Alert.objects.filter(state__in=OPEN_STATES)


def with_open_alert() -> Q:
    """``id IN (enterprises with an open warning)``: uncorrelated, so PostgreSQL hashes the subquery once
    instead of probing the alerts per enterprise (which it may choose for a correlated EXISTS)."""
    return Q(pk__in=open_alerts().values("enterprise_id"))


def has_open_alert() -> ExpressionWrapper:
    """``with_open_alert`` as a boolean column."""
    return ExpressionWrapper(with_open_alert(), output_field=BooleanField())


def map_queryset(user, filters: MapFilters, view: Viewport | None = None) -> QuerySet:
    """Visible enterprises matching the filters, inside the viewport's box if one is given (no ordering,
    nothing loaded yet)."""
    qs = jurisdiction.visible_enterprises(user).order_by()
    if view is not None:
        qs = qs.filter(longitude__gte=view.west, longitude__lte=view.east,
                       latitude__gte=view.south, latitude__lte=view.north)
    if filters.townships:
        qs = qs.filter(township_id__in=filters.townships)
    if filters.industries:
        q = Q()
        for code in filters.industries:
            q |= Q(industry__code__startswith=code)
        qs = qs.filter(q)
    if filters.colours:
        q = Q(eco_code__colour__in=[c for c in filters.colours if c != NO_COLOUR])
        if NO_COLOUR in filters.colours:
            q |= Q(eco_code__isnull=True) | Q(eco_code__colour="")
        qs = qs.filter(q)
    if filters.classes:
        qs = qs.filter(management_class__in=filters.classes)
    if filters.warnings is not None:
        qs = qs.filter(with_open_alert() if filters.warnings else ~with_open_alert())
    return qs


def _map_values(user, filters: MapFilters, view: Viewport | None) -> QuerySet:
    return map_queryset(user, filters, view).values_list(
        "id", "latitude", "longitude", "eco_code__colour", "township_id", "industry_id", "management_class",
    ).annotate(warn=has_open_alert())


def map_rows(user, filters: MapFilters, view: Viewport | None = None) -> list[list]:
    """One compact row per enterprise in ``MAP_FIELDS`` order, by id, from one query:
    ``[id, lat, lon, colour index or None, township id, industry id, class index, 1 if open warnings]``."""
    colour_index = {c: i for i, c in enumerate(COLOURS)}
    class_index = {c: i for i, c in enumerate(CLASSES)}
    rows = _map_values(user, filters, view).order_by("id")
    return [[pk, _coord(lat), _coord(lon), colour_index.get(colour), town, industry, class_index.get(klass),
             int(warn)] for pk, lat, lon, colour, town, industry, klass, warn in rows.iterator(chunk_size=5000)]


def _coord(value: float) -> float:
    """5 decimals (~1 m), computed exactly as the database path does (round half to even, then divide)."""
    return round(value * 1e5) / 1e5


def map_rows_json(user, filters: MapFilters, view: Viewport | None = None) -> tuple[str, int]:
    """``map_rows`` as a JSON array text and its length. On PostgreSQL the database builds the text itself
    (``string_agg`` over the same query), so no row passes through Python; elsewhere ``json.dumps``."""
    if not is_postgres():
        rows = map_rows(user, filters, view)
        return json.dumps(rows, separators=(",", ":")), len(rows)
    sql, params = _map_values(user, filters, view).query.sql_with_params()
    colours = ",".join(f"'{c}'" for c in COLOURS)  # fixed identifiers from TextChoices, not user input
    classes = ",".join(f"'{c}'" for c in CLASSES)
    # string_agg of hand-made arrays: the most compact text (json_agg would add spaces and newlines).
    wrapped = (
        "SELECT '[' || COALESCE(string_agg('[' || q.id || ',' || round(q.lat * 1e5) / 1e5 || ',' "
        "|| round(q.lon * 1e5) / 1e5 || ',' "
        f"|| COALESCE((array_position(ARRAY[{colours}]::text[], q.colour::text) - 1)::text, 'null') || ',' "
        "|| q.town || ',' || q.industry || ',' "
        f"|| COALESCE((array_position(ARRAY[{classes}]::text[], q.klass::text) - 1)::text, 'null') || ',' "
        "|| q.warn::int || ']', ',' ORDER BY q.id), '') || ']', "
        f"count(*) FROM ({sql}) AS q(id, lat, lon, colour, town, industry, klass, warn)"
    )
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        text, count = cursor.fetchone()
    return text, count


def township_outlines(user) -> list[dict]:
    """The visible townships with centre and GeoJSON boundary (for drawing), by code."""
    return list(jurisdiction.visible_townships(user).order_by("code")
                .values("id", "code", "name", "latitude", "longitude", "boundary"))


# --- the side panel ----------------------------------------------------------------------------

def visible_enterprise(user, pk: int) -> Enterprise | None:
    return (jurisdiction.visible_enterprises(user).select_related("township", "industry", "village", "grid")
            .filter(pk=pk).first())


def _limit_rows(enterprise: Enterprise, permit, now: dt.datetime) -> list[dict]:
    """Each permit limit of the enterprise's current permit (earlier versions' outlets left out) with the
    latest valid hourly (or half-hour) average."""
    def latest(period, field):
        return Subquery(Aggregate.objects.filter(
            outlet_id=OuterRef("outlet_id"), pollutant_id=OuterRef("pollutant_id"), period=period,
            valid_count__gt=0, start__lte=now).order_by("-start").values(field)[:1])

    def latest_reading(field):
        return Subquery(Reading.objects.filter(
            outlet_id=OuterRef("outlet_id"), pollutant_id=OuterRef("pollutant_id"), kind=DataKind.HOUR,
            flag="N", observed_at__gte=now - dt.timedelta(days=2), observed_at__lte=now)
            .filter(~in_invalid_period()).order_by("-observed_at").values(field)[:1])

    limits = (PermitLimit.objects.filter(outlet__enterprise=enterprise, outlet__permit=permit)
              .annotate(hour_avg=latest("hour", "avg"), hour_at=latest("hour", "start"),
                        half_avg=latest("half_hour", "avg"), half_at=latest("half_hour", "start"),
                        reading_value=latest_reading("value"), reading_at=latest_reading("observed_at"))
              .values("id", "outlet_id", "outlet__code", "outlet__name", "pollutant__code", "pollutant__name",
                      "limit_value", "lower_limit", "unit", "averaging_period", "hour_avg", "hour_at", "half_avg",
                      "half_at", "reading_value", "reading_at")
              .order_by("outlet__code", "pollutant__code"))
    rows = []
    for lim in limits:
        if lim["averaging_period"] == "half_hour" and lim["half_at"] is not None:
            value, at = lim["half_avg"], lim["half_at"]
        elif lim["hour_at"] is not None:
            value, at = lim["hour_avg"], lim["hour_at"]
        else:
            value, at = lim["reading_value"], lim["reading_at"]
        limit = float(lim["limit_value"])
        lower = float(lim["lower_limit"]) if lim["lower_limit"] is not None else None
        rows.append({
            "outlet_id": lim["outlet_id"], "outlet": lim["outlet__code"], "outlet_name": lim["outlet__name"],
            "pollutant": lim["pollutant__code"], "pollutant_name": lim["pollutant__name"], "unit": lim["unit"],
            "limit": limit, "lower_limit": lower, "averaging": lim["averaging_period"],
            "value": value, "at": at.isoformat() if at else None,
            "value_text": pollutant_values.value_text(value, lim["pollutant__code"], lim["unit"]),
            "limit_text": pollutant_values.value_text(limit, lim["pollutant__code"], lim["unit"]),
            "exceeds": value is not None and (value > limit or (lower is not None and value < lower)),
        })
    return rows


def enterprise_panel(user, enterprise: Enterprise, now: dt.datetime) -> dict:
    """Everything the side panel shows: permit, latest readings against limits, open warnings, work
    orders and colour history. A handful of queries, none per row."""
    permit = enterprise.permits.order_by("-issued_on").first()
    code = EcoCode.objects.filter(enterprise=enterprise).values("colour", "score", "scored_at").first() or {}
    alerts = (open_alerts().filter(enterprise=enterprise).select_related("outlet", "pollutant")
              .order_by("-opened_at")[:20])
    orders = with_overdue(visible_work_orders(user).filter(enterprise=enterprise), now).order_by("-opened_at")[:10]
    history = ColourChange.objects.filter(enterprise=enterprise).order_by("-changed_at")[:24]
    return {
        "id": enterprise.pk, "name": enterprise.name, "credit_code": enterprise.credit_code,
        "address": enterprise.address, "township": enterprise.township.name,
        "industry": str(enterprise.industry), "management_class": enterprise.get_management_class_display(),
        "status": enterprise.get_status_display(), "contact": enterprise.contact_name,
        "phone": enterprise.contact_phone, "lat": enterprise.latitude, "lon": enterprise.longitude,
        "colour": code.get("colour") or None, "score": float(code["score"]) if code.get("score") is not None else None,
        "scored_at": _local_iso(code.get("scored_at")),
        "permit": permit and {
            "number": permit.number, "class": permit.get_management_class_display(),
            "valid_from": permit.valid_from.isoformat(), "expires_on": permit.expires_on.isoformat(),
            "status": permit.get_status_display(), "expired": permit.expires_on < now.date(),
            "annual_quantities": [{"name": q["name"], "tonnes": float(q["tonnes"])}
                                  for q in registry_selectors.annual_quantities(permit)],
        },
        "limits": _limit_rows(enterprise, permit, now),
        "alerts": [{"id": a.pk, "rule": a.get_rule_display(), "outlet": a.outlet.code,
                    "pollutant": a.pollutant.code if a.pollutant_id else None,
                    "pollutant_name": a.pollutant.name if a.pollutant_id else "", "state": a.get_state_display(),
                    "opened_at": _local_iso(a.opened_at), "value": a.value, "limit": a.limit_value,
                    "value_text": pollutant_values.value_text(a.value, a.pollutant, a.unit),
                    "limit_text": pollutant_values.value_text(a.limit_value, a.pollutant, a.unit),
                    "is_alarm": a.is_alarm} for a in alerts],
        "work_orders": [{"id": o.pk, "title": o.title, "state": o.get_state_display(), "source": o.get_source_display(),
                         "opened_at": _local_iso(o.opened_at), "due_at": _local_iso(o.due_at),
                         "overdue": o.overdue_since is not None} for o in orders],
        "colour_history": [{"at": _local_iso(c.changed_at), "from": c.from_colour or None, "to": c.to_colour}
                           for c in history],
    }



def _local_iso(moment: dt.datetime | None) -> str | None:
    """A time as ISO 8601 in the county's zone (Asia/Shanghai), so a page printing its first 16
    characters prints the local time."""
    return timezone.localtime(moment).isoformat() if moment else None

# --- an outlet's readings against its limits ------------------------------------------------------

SERIES_PERIODS = ("half_hour", "hour", "day")
MAX_SERIES_DAYS = {"half_hour": 31, "hour": 92, "day": 731}


def visible_outlet(user, pk: int) -> Outlet | None:
    return jurisdiction.restrict(Outlet.objects.select_related("enterprise"), user).filter(pk=pk).first()


def outlet_series(outlet: Outlet, pollutant: Pollutant, start: dt.datetime, end: dt.datetime,
                  period: str) -> dict:
    """Points ``[time, avg, min, max]`` of one pollutant at one outlet from the aggregates (daily points
    are the valid-reading-weighted mean of the hourly aggregates); where there are no aggregates, the
    hourly (or daily) readings the device sent. With the permit limit for the limit line."""
    aggregates = Aggregate.objects.filter(outlet=outlet, pollutant=pollutant, start__gte=start, start__lt=end,
                                          valid_count__gt=0)
    if period == "day":
        qs = (aggregates.filter(period="hour").annotate(t=TruncDay("start")).values("t")
              .annotate(avg=Sum("sum") / Sum("valid_count"), lo=Min("min"), hi=Max("max")).order_by("t")
              .values_list("t", "avg", "lo", "hi"))
    else:
        qs = aggregates.filter(period=period).order_by("start").values_list("start", "avg", "min", "max")
    points = list(qs)
    source = "aggregates"
    if not points:
        kind = DataKind.DAY if period == "day" else DataKind.HOUR
        points = list(Reading.objects.filter(outlet=outlet, pollutant=pollutant, kind=kind, flag="N",
                                             observed_at__gte=start, observed_at__lt=end)
                      .filter(~in_invalid_period()).order_by("observed_at")
                      .values_list("observed_at", "value", "min", "max"))
        source = "readings"
    limit = PermitLimit.objects.filter(outlet=outlet, pollutant=pollutant).first()
    return {
        "outlet": outlet.code, "enterprise": outlet.enterprise.name, "pollutant": pollutant.code,
        "pollutant_name": pollutant.name, "unit": (limit.unit if limit else "") or pollutant.unit,
        "period": period, "source": source, "start": start.isoformat(), "end": end.isoformat(),
        "limit": float(limit.limit_value) if limit else None,
        "lower_limit": float(limit.lower_limit) if limit and limit.lower_limit is not None else None,
        "points": [[_local_iso(t), *(pollutant_values.rounded(x, pollutant.code) for x in (v, lo, hi))]
                   for t, v, lo, hi in points],
        "exceedances": sum(1 for _t, v, _lo, _hi in points
                           if limit is not None and v is not None and v > float(limit.limit_value)),
    }


def outlet_pollutants(outlet: Outlet) -> QuerySet:
    """Pollutants the outlet has a limit for (the ones a chart can compare)."""
    return Pollutant.objects.filter(limits__outlet=outlet).order_by("code")

