"""Reads behind the KPI page, the township risk map and the monthly township ranking.

Every function takes the user and cuts its data by ``enterprises.jurisdiction``; each measure is one
grouped query (per month or per township), never a loop over rows.

Definitions (shown on the KPI page as well):

* warnings sent: warnings opened in the month that were notified at least once;
  answered in time: of those, acknowledged before they would escalate to an alarm
  (``AlertSettings.escalate_minutes`` after opening);
* enterprises fixed after a warning: enterprises warned in the month all of whose warnings of the month
  are resolved (the condition cleared, not closed by staff), over the enterprises warned;
* self-check completion: notices issued in the month that were completed, over completed plus those
  past due and still open (as ``dispatch.selectors.self_check_completion``);
* off-site share: off-site inspections (非现场检查) of key-management enterprises over all their
  inspections (on-site and off-site) in the month, from ``enforcement.Inspection``;
* colour distribution: the colour of each enterprise at the end of the month, from its colour history;
* clean waste shipments: shipments of the township's producers that left in the month and raised no
  transfer warning (on time, with a complete trajectory, confirmed by the receiver), over those that left
  (``waste.selectors.township_transfers``).
"""
import datetime as dt
from collections import defaultdict

from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.fields import DateTimeField
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from alerts.models import OPEN_STATES, Alert, AlertSettings, AlertState
from dispatch.models import SelfCheckNotice, WorkOrder
from dispatch.selectors import overdue_q, visible_work_orders
from ecocode.models import Colour, ColourChange
from enforcement.selectors import key_inspections_by_month
from enterprises import jurisdiction
from monitoring.models import Aggregate, DataKind, Reading, Station
from waste.selectors import township_transfers

from .risk import township_risk

ORANGE_RED = (Colour.ORANGE, Colour.RED)
#: Township air quality is ranked by these station pollutants (lower is better).
AIR_POLLUTANTS = ("a34004", "a34002")  # PM2.5, PM10


def month_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, 1))


def add_months(start: dt.datetime, n: int) -> dt.datetime:
    month = start.month - 1 + n
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def last_months(now: dt.datetime, n: int) -> list[dt.datetime]:
    """Starts of the ``n`` months up to and including the month of ``now``, oldest first."""
    this = month_start(timezone.localtime(now).date())
    return [add_months(this, -i) for i in range(n - 1, -1, -1)]


def _month_key(value) -> dt.date:
    return timezone.localtime(value).date().replace(day=1) if isinstance(value, dt.datetime) else value


def monthly_kpis(user, *, now: dt.datetime, months: int = 12) -> list[dict]:
    """One row per month (oldest first) with every KPI of the module docstring."""
    starts = last_months(now, months)
    since, until = starts[0], add_months(starts[-1], 1)

    escalate = AlertSettings.current().escalate_after
    alerts = jurisdiction.restrict(Alert.objects.filter(opened_at__gte=since, opened_at__lt=until), user)
    sent = _grouped(alerts.filter(last_notified_at__isnull=False).annotate(
        answer_by=ExpressionWrapper(F("opened_at") + escalate, output_field=DateTimeField())), "opened_at",
        sent=Count("pk"), answered_in_time=Count("pk", filter=Q(acknowledged_at__lte=F("answer_by"))))
    # Enterprises warned in a month, and those with every warning of the month resolved.
    per_enterprise = (alerts.order_by().annotate(m=TruncMonth("opened_at")).values("m", "enterprise_id")
                      .annotate(n=Count("pk"), resolved=Count("pk", filter=Q(state=AlertState.RESOLVED))))
    warned, fixed = defaultdict(int), defaultdict(int)
    for row in per_enterprise:
        key = _month_key(row["m"])
        warned[key] += 1
        fixed[key] += row["n"] == row["resolved"]

    notices = jurisdiction.restrict(SelfCheckNotice.objects.filter(issued_at__gte=since, issued_at__lt=until), user)
    checks = _grouped(notices, "issued_at", issued=Count("pk"),
                      completed=Count("pk", filter=Q(completed_at__isnull=False)),
                      overdue_open=Count("pk", filter=Q(completed_at__isnull=True, due_at__lt=now)))

    orders = visible_work_orders(user).filter(opened_at__gte=since, opened_at__lt=until)
    order_rows = _grouped(orders, "opened_at", opened=Count("pk"),
                          remote=Count("pk", filter=Q(source__in=[WorkOrder.Source.ALERT, WorkOrder.Source.STATION])),
                          closed_on_time=Count("pk", filter=Q(state=WorkOrder.State.CLOSED, on_time=True)),
                          closed_late=Count("pk", filter=Q(state=WorkOrder.State.CLOSED, on_time=False)),
                          overdue_open=Count("pk", filter=overdue_q(now)))
    key_inspections = key_inspections_by_month(user, since, until)

    colours = colour_distribution(user, [add_months(s, 1) for s in starts])
    result = []
    for start, colour_row in zip(starts, colours):
        key = start.date()
        s = sent.get(key, {"sent": 0, "answered_in_time": 0})
        c = checks.get(key, {"issued": 0, "completed": 0, "overdue_open": 0})
        o = order_rows.get(key, {"opened": 0, "remote": 0, "closed_on_time": 0, "closed_late": 0, "overdue_open": 0})
        off_site, inspected = key_inspections.get(key, (0, 0))
        result.append({
            "month": key.strftime("%Y-%m"),
            "warnings_sent": s["sent"], "answered_in_time": s["answered_in_time"],
            "answered_rate": _rate(s["answered_in_time"], s["sent"]),
            "enterprises_warned": warned.get(key, 0), "enterprises_fixed": fixed.get(key, 0),
            "fixed_rate": _rate(fixed.get(key, 0), warned.get(key, 0)),
            "self_checks_issued": c["issued"], "self_checks_completed": c["completed"],
            "self_check_rate": _rate(c["completed"], c["completed"] + c["overdue_open"]),
            "work_orders_opened": o["opened"], "work_orders_overdue": o["overdue_open"],
            "on_time_rate": _rate(o["closed_on_time"], o["closed_on_time"] + o["closed_late"] + o["overdue_open"]),
            "remote_findings": o["remote"],
            "key_inspections": inspected, "key_off_site_inspections": off_site,
            "off_site_share": _rate(off_site, inspected),
            "colours": colour_row,
        })
    return result


def _grouped(qs: QuerySet, field: str, **aggregates) -> dict[dt.date, dict]:
    rows = qs.order_by().annotate(m=TruncMonth(field)).values("m").annotate(**aggregates)
    return {_month_key(r.pop("m")): r for r in rows}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def colour_distribution(user, moments: list[dt.datetime]) -> list[dict]:
    """For each moment, ``{colour: number of visible enterprises of that colour}`` from the latest colour
    change before it (one windowed query per moment)."""
    result = []
    for moment in moments:
        latest = (jurisdiction.restrict(ColourChange.objects.filter(changed_at__lt=moment), user)
                  .annotate(rn=Window(RowNumber(), partition_by=[F("enterprise_id")],
                                      order_by=[F("changed_at").desc(), F("id").desc()]))
                  .filter(rn=1).values_list("to_colour", flat=True))
        counts = dict.fromkeys(Colour.values, 0)
        for colour in latest:
            counts[colour] += 1
        result.append(counts)
    return result


def township_stats(user, *, now: dt.datetime, as_of: dt.datetime | None = None) -> list[dict]:
    """Per visible township: enterprises, orange/red ones, open warnings, open and overdue work orders,
    and the risk index and colour of ``dashboard.risk``. Four grouped queries.

    With ``as_of`` before ``now`` (the end of a past month), the state at that moment: each enterprise's
    colour from its colour history, the warnings open then (opened before, not resolved or closed by then)
    and the orders open and overdue then."""
    if as_of is not None and as_of >= now:
        as_of = None
    townships = list(jurisdiction.visible_townships(user).order_by("code").values("id", "code", "name"))
    ents = _enterprise_colours(user, as_of)
    if as_of is None:
        open_alerts, open_orders, moment = Q(state__in=OPEN_STATES), ~Q(state=WorkOrder.State.CLOSED), now
        overdue = overdue_q(now)
    else:
        moment = as_of
        open_alerts = Q(opened_at__lt=as_of) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=as_of))
        open_orders = Q(opened_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
        overdue = open_orders & (
            (Q(accept_due_at__lt=as_of) & (Q(accepted_at__isnull=True) | Q(accepted_at__gte=as_of)))
            | (Q(due_at__lt=as_of) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=as_of))))
    warnings = dict(jurisdiction.restrict(Alert.objects.filter(open_alerts), user).order_by()
                    .values("enterprise__township_id").annotate(n=Count("pk"))
                    .values_list("enterprise__township_id", "n"))
    orders = {r["township_id"]: r for r in visible_work_orders(user).filter(opened_at__lt=moment).order_by()
              .values("township_id").annotate(open=Count("pk", filter=open_orders), overdue=Count("pk", filter=overdue))}
    rows = []
    for t in townships:
        e = ents.get(t["id"], {"n": 0, "orange_red": 0, "red": 0})
        o = orders.get(t["id"], {"open": 0, "overdue": 0})
        risk = township_risk(enterprises=e["n"], orange_red=e["orange_red"], open_warnings=warnings.get(t["id"], 0),
                             overdue_orders=o["overdue"])
        rows.append({**t, "enterprises": e["n"], "orange_red": e["orange_red"], "red": e["red"],
                     "open_warnings": warnings.get(t["id"], 0), "open_orders": o["open"],
                     "overdue_orders": o["overdue"], "risk_index": risk.index, "risk_colour": risk.colour})
    return rows


def _enterprise_colours(user, as_of: dt.datetime | None) -> dict[int, dict]:
    """``{township_id: {n, orange_red, red}}`` of the visible enterprises: by the current eco-code, or by
    each enterprise's latest colour change before ``as_of`` (a correlated subquery, in one grouped query)."""
    qs = jurisdiction.visible_enterprises(user).order_by()
    if as_of is None:
        colour = "eco_code__colour"
    else:
        colour = "colour_then"
        qs = qs.annotate(colour_then=Subquery(
            ColourChange.objects.filter(enterprise_id=OuterRef("pk"), changed_at__lt=as_of)
            .order_by("-changed_at", "-id").values("to_colour")[:1]))
    rows = qs.values("township_id").annotate(n=Count("pk"), orange_red=Count("pk", filter=Q(**{f"{colour}__in": ORANGE_RED})),
                                             red=Count("pk", filter=Q(**{colour: Colour.RED})))
    return {r["township_id"]: r for r in rows}


def township_air_quality(user, start: dt.datetime, end: dt.datetime) -> dict[int, dict[str, float]]:
    """``{township_id: {pollutant code: mean}}`` of the township's air-quality stations over the period:
    the valid-reading-weighted mean of their hourly aggregates, else of the hourly readings they sent."""
    stations = Station.objects.filter(kind=Station.Kind.AIR_QUALITY,
                                      township__in=jurisdiction.visible_townships(user))
    result: dict[int, dict[str, float]] = defaultdict(dict)
    aggs = (Aggregate.objects.filter(station__in=stations, period="hour", start__gte=start, start__lt=end,
                                     pollutant__code__in=AIR_POLLUTANTS, valid_count__gt=0).order_by()
            .values("station__township_id", "pollutant__code")
            .annotate(total=Sum("sum"), n=Sum("valid_count")))
    for row in aggs:
        result[row["station__township_id"]][row["pollutant__code"]] = row["total"] / row["n"]
    readings = (Reading.objects.filter(station__in=stations, kind=DataKind.HOUR, flag="N", observed_at__gte=start,
                                       observed_at__lt=end, pollutant__code__in=AIR_POLLUTANTS).order_by()
                .values("station__township_id", "pollutant__code").annotate(total=Sum("value"), n=Count("value")))
    for row in readings:
        if row["n"]:
            result[row["station__township_id"]].setdefault(row["pollutant__code"], row["total"] / row["n"])
    return dict(result)


#: Ranking keys: (field of the row, True if higher is better).
RANK_KEYS = {
    "risk_index": ("risk_index", False),
    "pm25": ("pm25", False),
    "pm10": ("pm10", False),
    "answered_rate": ("answered_rate", True),
    "self_check_rate": ("self_check_rate", True),
    "on_time_rate": ("on_time_rate", True),
    "orange_red_share": ("orange_red_share", False),
    "waste_clean_rate": ("waste_clean_rate", True),
}


def township_ranking(user, *, year: int, month: int, now: dt.datetime, by: str = "risk_index") -> list[dict]:
    """The visible townships ranked for one month by ``by`` (a key of ``RANK_KEYS``); townships without a
    value for the key come last. Air quality, the month's KPIs and the risk of ``township_stats`` at the
    month's end (now for the running month)."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = add_months(start, 1)
    field, higher_better = RANK_KEYS[by]
    stats = {r["id"]: r for r in township_stats(user, now=now, as_of=end)}
    air = township_air_quality(user, start, end)

    escalate = AlertSettings.current().escalate_after
    alerts = dict_by(jurisdiction.restrict(Alert.objects.filter(opened_at__gte=start, opened_at__lt=end,
                                                                last_notified_at__isnull=False), user)
                     .annotate(answer_by=ExpressionWrapper(F("opened_at") + escalate, output_field=DateTimeField()))
                     .order_by().values("enterprise__township_id")
                     .annotate(sent=Count("pk"), in_time=Count("pk", filter=Q(acknowledged_at__lte=F("answer_by")))),
                     "enterprise__township_id")
    checks = dict_by(jurisdiction.restrict(SelfCheckNotice.objects.filter(issued_at__gte=start, issued_at__lt=end),
                                           user).order_by().values("enterprise__township_id")
                     .annotate(done=Count("pk", filter=Q(completed_at__isnull=False)),
                               late=Count("pk", filter=Q(completed_at__isnull=True, due_at__lt=now))),
                     "enterprise__township_id")
    orders = dict_by(visible_work_orders(user).filter(opened_at__gte=start, opened_at__lt=end).order_by()
                     .values("township_id")
                     .annotate(in_time=Count("pk", filter=Q(state=WorkOrder.State.CLOSED, on_time=True)),
                               late=Count("pk", filter=Q(state=WorkOrder.State.CLOSED, on_time=False)),
                               overdue=Count("pk", filter=overdue_q(now))), "township_id")
    transfers = township_transfers(user, start, end)
    rows = []
    for tid, s in stats.items():
        a = alerts.get(tid, {"sent": 0, "in_time": 0})
        c = checks.get(tid, {"done": 0, "late": 0})
        o = orders.get(tid, {"in_time": 0, "late": 0, "overdue": 0})
        rows.append({
            "township_id": tid, "code": s["code"], "name": s["name"], "enterprises": s["enterprises"],
            "pm25": _round(air.get(tid, {}).get("a34004")), "pm10": _round(air.get(tid, {}).get("a34002")),
            "warnings_sent": a["sent"], "answered_rate": _rate(a["in_time"], a["sent"]),
            "self_check_rate": _rate(c["done"], c["done"] + c["late"]),
            "on_time_rate": _rate(o["in_time"], o["in_time"] + o["late"] + o["overdue"]),
            "orange_red_share": _rate(s["orange_red"], s["enterprises"]),
            "waste_shipments": transfers.get(tid, {}).get("shipments", 0),
            "waste_clean_rate": _rate(transfers.get(tid, {}).get("clean", 0), transfers.get(tid, {}).get("shipments", 0)),
            "open_warnings": s["open_warnings"], "overdue_orders": s["overdue_orders"],
            "risk_index": s["risk_index"], "risk_colour": s["risk_colour"],
        })
    present = [r for r in rows if r[field] is not None]
    missing = [r for r in rows if r[field] is None]
    present.sort(key=lambda r: (-r[field] if higher_better else r[field], r["code"]))
    ranked = present + sorted(missing, key=lambda r: r["code"])
    for i, row in enumerate(ranked, 1):
        row["rank"] = i if row[field] is not None else None
    return ranked


def dict_by(rows, key: str) -> dict:
    return {r.pop(key): r for r in rows}


def _round(value):
    return None if value is None else round(value, 1)
