"""Families over monitoring data (``monitoring.models``, ``alerts.models``): the exceedances of permit
limits, online data completeness and validity per self-monitoring duty, silent devices, warnings and
maintenance windows.

Exceedances are those alerts records (``alerts.Exceedance``): each completed averaging period of a limit
whose average broke it, judged on the limit's own period (a daily limit by its daily average, so an
outlet with a daily limit and one high hour has none), maintenance and calibration periods left out, and
those withdrawn because an operator's record later made their data invalid (``Exceedance.standing``).

The ``online`` family's rows are the online duties (so a duty with no data at all still counts as due);
what their devices sent comes from one grouped scan of the window's hourly aggregates per outlet,
pollutant and readings per hour (``_hours``: a few rows per outlet and pollutant, hash-aggregated in
parallel, where joining the duties to their four million hours and sorting them per duty took five
times as long); completeness and validity both read it.

Completeness is judged on each device's own terms: a device that sends a value every ``k`` minutes owes
``60 / k`` readings an hour (read from its own data: the median number of readings of its hours with
data), and owes them only from its first packet or the permit's start, if later than the window's start.
A daily-only logger (CN 2031, no hourly data) owes one daily value for each local day completed since then.

Episode keys (``ep``) make one fact charged once: an exceedance is ``exceedance:<outlet>:<pollutant>:<day>``
in the recorded exceedances and in the warnings; a missing-data gap is ``gap:<outlet>``.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils.translation import gettext_noop as N_

from alerts.models import Alert, Exceedance, Silence
from enterprises.models import MonitoringDuty
from monitoring.models import Aggregate, DataKind, Device

from .base import RATIO, Family, key_part

LOCAL = ZoneInfo("Asia/Shanghai")


def _duties(ctx, days):
    """Online duties of monitored outlets: the family's rows (their hours come from ``_hours``)."""
    return MonitoringDuty.objects.filter(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=True)


def _hours(ctx, days: int) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
    """Per outlet and pollutant, the hourly aggregates of the last ``days`` days grouped by how many readings
    an hour had: (readings in the hour, hours, valid readings, hours with an invalid reading), fewest
    readings first. One grouped scan per window for every duty (restricted to the run's enterprises)."""
    def compute():
        hours = Aggregate.objects.filter(outlet__isnull=False, period=Aggregate.Period.HOUR,
                                         start__gte=ctx.since(days), start__lt=ctx.as_of)
        if ctx.enterprise_ids is not None:
            hours = hours.filter(outlet_id__in=_duties(ctx, days).filter(
                permit__enterprise_id__in=ctx.enterprise_ids).values("outlet_id"))
        out = {}
        for outlet, pollutant, count, n, valid, invalid in (
                hours.values("outlet_id", "pollutant_id", "count").order_by()
                .annotate(n=Count("id"), valid=Sum("valid_count"),
                          invalid=Count("id", filter=Q(valid_count__lt=F("count"))))
                .values_list("outlet_id", "pollutant_id", "count", "n", "valid", "invalid")):
            out.setdefault((outlet, pollutant), []).append((count, n, valid, invalid))
        for groups in out.values():
            groups.sort()
        return out
    return ctx.once(("online hours", days), compute)


def _median(with_data: list[tuple[int, int]]) -> int | None:
    """The median of (readings in an hour, hours) in order, as ``percentile_disc(0.5)`` takes it: the value
    at position ⌈n/2⌉ of the n hours."""
    position, seen = -(-sum(n for _, n in with_data) // 2), 0
    for count, n in with_data:
        seen += n
        if seen >= position:
            return count
    return None


def _no_aggregates(ctx):
    if not Aggregate.objects.filter(period__in=[Aggregate.Period.HOUR, Aggregate.Period.DAY], outlet__isnull=False,
                                    start__gte=ctx.since(30), start__lt=ctx.as_of).exists():
        return N_("no online monitoring data (hourly statistics) in the last 30 days")
    return None


# One row per duty (its hours looked up in ``_hours``); the duties an indicator sums are those of its
# pollutants and medium.
online = Family("online", _duties, "permit__enterprise_id", requires=("monitoring.Aggregate",),
                detail={"duty_id": "id", "outlet_pk": "outlet_id", "outlet_kind": "outlet__kind",
                        "pollutant_code": "pollutant__code"}, lacks_data=_no_aggregates)


def _matches(p, row) -> bool:
    return ((not p.get("pollutants") or row["pollutant_code"] in p["pollutants"])
            and (not p["medium"] or row["outlet_kind"] == p["medium"]))


def _text(expr):
    return Cast(expr, CharField())


def _owed(values, p, ctx) -> dict:
    """One duty's readings received and owed in the window, by its device's own interval and start."""
    groups = _hours(ctx, p["window_days"]).get((values["outlet"], values["pollutant"]), [])
    with_data = [(count, n) for count, n, _, _ in groups if count > 0]
    received = sum(count * n for count, n in with_data) if with_data else None
    start = ctx.since(p["window_days"])
    first = _first_data(ctx).get((values["outlet"], values["pollutant"]))
    if first is not None:
        start = max(start, first)
    if values["permit_from"] is not None:
        start = max(start, dt.datetime.combine(values["permit_from"], dt.time(), LOCAL))
    daily = _daily_days(ctx, p["window_days"]).get((values["outlet"], values["pollutant"]))
    if received is None and daily:
        # a daily-only logger (CN 2031): one value a local day, owed for each day completed since the start
        owed = max(0, (ctx.as_of.astimezone(LOCAL).date() - start.astimezone(LOCAL).date()).days)
        received = daily
    else:
        owed = max(0.0, (ctx.as_of - start).total_seconds() / 3600) * (_median(with_data) or 1)
        received = received or 0
    record = {"type": "outlet", "id": str(values["outlet"]), "at": start.isoformat(), "ep": f"gap:{values['outlet']}"}
    short = owed > 0 and received / owed < p["min_ratio"]
    return {"received": received, "owed": owed, "records": [record] if short else []}


# What a duty's row gives its rules: its permit's start, its outlet and pollutant (to look up its hours).
DUTY = {"permit_from": Max("permit__valid_from"), "outlet": Max("outlet_id"), "pollutant": Max("pollutant_id")}


@online.rule("completeness", {"medium": (str, ""), "window_days": (int, 30)},
             N_("online data arrived for %(fact)s of the readings owed in the last %(window_days)s days "
             "(%(received)s of %(owed)s, each device by its own interval from its first packet; required "
             "%(min_ratio)s)"), mode=RATIO, select=_matches, per_row=_owed,
             fact=lambda v, p, ctx: round(v["received"] / v["owed"], 4) if v["owed"] else None)
def _completeness(p, ctx):
    return DUTY


def _daily_days(ctx, days: int) -> dict[tuple[int, int], int]:
    """Days of daily data (CN 2031, kind day) per outlet and pollutant in the window: what a daily-only
    logger, which has no hours, has sent. One grouped query per window, beside the family's query (as a
    correlated subquery in it, the count ran once per duty and hour and made the family ten times slower)."""
    return ctx.once(("daily data days", days), lambda: {
        (r["outlet_id"], r["pollutant_id"]): r["n"] for r in Aggregate.objects.filter(
            outlet__isnull=False, period=Aggregate.Period.DAY, kind=DataKind.DAY, count__gt=0,
            start__gte=ctx.since(days), start__lt=ctx.as_of)
        .values("outlet_id", "pollutant_id").order_by().annotate(n=Count("*"))})


# Owed from the outlet's device's first packet (recorded by ingestion), else from its first hour of data.
FIRST_DATA = Coalesce(
    Subquery(Device.objects.filter(outlet=OuterRef("outlet"), first_seen_at__isnull=False)
             .order_by("first_seen_at").values("first_seen_at")[:1]),
    Subquery(Aggregate.objects.filter(outlet=OuterRef("outlet"), pollutant=OuterRef("pollutant"),
                                      period=Aggregate.Period.HOUR, count__gt=0).order_by("start").values("start")[:1]))


def _first_data(ctx) -> dict[tuple[int, int], dt.datetime]:
    """When each online duty's data began (``FIRST_DATA``), per outlet and pollutant: one query over the
    duties, each looked up once. (In the family's query the subqueries were part of its GROUP BY and ran
    once per duty and hour: 4.2 million times, two thirds of a county's scoring run.)"""
    def compute():
        duties = MonitoringDuty.objects.filter(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=True)
        if ctx.enterprise_ids is not None:
            duties = duties.filter(permit__enterprise_id__in=ctx.enterprise_ids)
        return {(outlet, pollutant): first for outlet, pollutant, first in duties.order_by().annotate(
            first=FIRST_DATA).values_list("outlet_id", "pollutant_id", "first") if first is not None}
    return ctx.once("first data", compute)


def _valid(values, p, ctx) -> dict:
    """One duty's valid readings and readings in the window; its outlet is the record if any hour had an
    invalid one."""
    groups = _hours(ctx, p["window_days"]).get((values["outlet"], values["pollutant"]), [])
    record = {"type": "outlet", "id": str(values["outlet"]), "at": None, "ep": f"validity:{values['outlet']}"}
    return {"valid": sum(valid for _, _, valid, _ in groups), "received": sum(count * n for count, n, _, _ in groups),
            "records": [record] if any(invalid for *_, invalid in groups) else []}


@online.rule("validity", {"medium": (str, ""), "window_days": (int, 30)},
             N_("%(fact)s of the online readings in the last %(window_days)s days were valid (flag N) "
             "(%(valid)s of %(received)s; required %(min_ratio)s)"), mode=RATIO, select=_matches, per_row=_valid,
             fact=lambda v, p, ctx: round(v["valid"] / v["received"], 4) if v["received"] else None)
def _validity(p, ctx):
    return DUTY


exceedances = Family("exceedances", lambda ctx, days: Exceedance.objects.standing().filter(
    start__gte=ctx.since(days or 30), start__lt=ctx.as_of), "enterprise_id", requires=("alerts.Exceedance",),
    record_type="exceedance", record_at="start")
EXCEEDANCE_EPISODE = Concat(Value("exceedance:"), key_part("outlet_id"), Value(":"), key_part("pollutant_id"),
                            Value(":"), _text(TruncDate("start", tzinfo=LOCAL)))


@exceedances.rule("recorded", {"pollutants": (list, []), "medium": (str, ""), "window_days": (int, 30),
                               "min_factor": (float, 1.0)},
                  N_("%(n)s exceedance(s) of the permit limit over %(min_factor)s × the limit, each on the limit's "
                  "own averaging period, in the last %(window_days)s days"))
def _recorded(p, ctx):
    q = Q(start__gte=ctx.since(p["window_days"]))
    if p["pollutants"]:
        q &= Q(pollutant__code__in=p["pollutants"])
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    if p["min_factor"] > 1:  # "over n times the limit": above the upper limit only (pH below 6 is not)
        q &= Q(value__gt=F("limit_value") * p["min_factor"])
    return exceedances.counted(q, ep=EXCEEDANCE_EPISODE)


devices = Family("devices", lambda ctx, days: Device.objects.filter(outlet__isnull=False, is_active=True),
                 "outlet__enterprise_id", requires=("monitoring.Device",), record_type="device",
                 record_at="last_seen_at")


@devices.rule("silent", {"medium": (str, ""), "hours": (int, 24)},
              N_("%(n)s monitoring device(s) sent no accepted data for %(hours)s hours"))
def _silent(p, ctx):
    q = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=ctx.as_of - dt.timedelta(hours=p["hours"]))
    return devices.counted(q & Q(outlet__kind=p["medium"]) if p["medium"] else q,
                           ep=Concat(Value("gap:"), key_part("outlet_id")))


ALERT_PARAMS = {"rules": (list, []), "medium": (str, ""), "window_days": (int, 90)}
alerts = Family("alerts", lambda ctx, days: Alert.objects.all(), "enterprise_id", requires=("alerts.Alert",),
                record_type="warning", record_at="opened_at")
# The fact a warning reports: an exceedance of its outlet, pollutant and day; a gap of its outlet; else itself.
ALERT_EPISODE = Case(
    When(rule="exceedance", then=Concat(Value("exceedance:"), key_part("outlet_id"), Value(":"),
                                        key_part("pollutant_id"), Value(":"),
                                        _text(TruncDate("opened_at", tzinfo=LOCAL)))),
    When(rule="missing_data", then=Concat(Value("gap:"), key_part("outlet_id"))),
    default=Concat(Value("warning:"), key_part("id")), output_field=CharField())


def _alerts_in_window(p, ctx) -> Q:
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    if p["rules"]:
        q &= Q(rule__in=p["rules"])
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return q


@alerts.rule("opened", ALERT_PARAMS, N_("%(n)s warning(s) %(rules)s in the last %(window_days)s days"))
def _opened(p, ctx):
    return alerts.counted(_alerts_in_window(p, ctx), ep=ALERT_EPISODE)


@alerts.rule("unanswered", {**ALERT_PARAMS, "minutes": (int, 30)},
             N_("%(n)s warning(s) %(rules)s not acknowledged within %(minutes)s minutes "
             "(last %(window_days)s days)"))
def _unanswered(p, ctx):
    deadline = F("opened_at") + dt.timedelta(minutes=p["minutes"])
    late_ack = Q(acknowledged_at__gt=deadline)
    never = (Q(acknowledged_at__isnull=True, opened_at__lt=ctx.as_of - dt.timedelta(minutes=p["minutes"]))
             & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=deadline)))
    # Warnings muted by a maintenance window or inhibited by another warning were never sent to answer.
    # Not answering is a fact of its own (the response), so its episode is the warning itself.
    return alerts.counted(_alerts_in_window(p, ctx) & Q(muted="") & (late_ack | never))


@alerts.rule("escalated", ALERT_PARAMS,
             N_("%(n)s warning(s) %(rules)s escalated to an alarm in the last %(window_days)s days"))
def _escalated(p, ctx):
    return alerts.counted(_alerts_in_window(p, ctx) & Q(escalated_at__isnull=False), ep=ALERT_EPISODE)


silences = Family("silences", lambda ctx, days: Silence.objects.all(), "enterprise_id",
                  requires=("alerts.Silence",), record_type="maintenance", record_at="starts_at")


@silences.rule("count", {"window_days": (int, 30)},
               N_("%(n)s maintenance window(s) declared in the last %(window_days)s days"))
def _silences(p, ctx):
    return silences.counted(Q(starts_at__gte=ctx.since(p["window_days"]), starts_at__lte=ctx.as_of))
