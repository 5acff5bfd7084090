"""What goes into the reports, computed in the database.

Monitoring, per outlet and pollutant, from the hourly aggregates of the period:

* completeness = hours with valid data ÷ hours of the period (up to now), for every limited pollutant
  of an online-monitored outlet and every other pollutant that sent data;
* average = Σ valid values ÷ number of valid values (weighted by the readings of each hour); peak = largest value;
* exceedances = the recorded violations (``alerts.Exceedance``): completed periods of the permit's own
  averaging period (instantaneous, half-hour, hourly, daily) whose average broke the limit or fell below a
  lower limit such as pH 6, instruments in maintenance or calibration excepted, and those withdrawn once
  an operator's record made their data invalid; a daily-limit outlet's one bad hour is not one;
* emissions = Σ ``Cou`` of the period's readings, hourly (CN 2061) ones first, else minute, else daily,
  in kg (m³ for flow); compared with the permitted quantity (t/a, pro rata for the period) where the
  permit gives one.

Warnings, self-checks, on-site checks and work orders are the enterprise's rows of the period.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, Max, Q, Sum
from django.utils import timezone

from alerts.models import OPEN_STATES, Alert, Exceedance
from core import clock
from dispatch.models import Round, WorkOrder
from enterprises.models import Enterprise, Outlet, PermitLimit, Pollutant
from monitoring.models import Aggregate, DataKind, Reading

from ..models import ValidHoursDay
from ..services.periods import period_bounds
from ..services.rollups import valid_hours_refresh

#: The permitted annual quantity (t/a) on a permit limit, once the permit model carries it.
PERMITTED_QUANTITY_FIELD = "annual_quantity"
EMISSION_KINDS = (DataKind.HOUR, DataKind.MINUTE, DataKind.DAY)  # in order of preference


def permitted_quantity_known() -> bool:
    return any(f.name == PERMITTED_QUANTITY_FIELD for f in PermitLimit._meta.get_fields())


@dataclass
class MonitoringRow:
    outlet_code: str
    outlet_name: str
    pollutant_code: str
    pollutant_name: str
    unit: str
    is_parameter: bool
    limit: float | None
    lower_limit: float | None
    expected_hours: int
    valid_hours: int
    average: float | None
    peak: float | None
    averaging_period: str            # the limit's, as its label ("日均值"); blank without a limit
    exceedances: int
    emission: float | None           # kg, m³ for flow
    permitted_quantity: float | None  # t for the period, pro rata
    completeness: float | None = None
    emission_share: float | None = None  # emission ÷ permitted quantity

    def __post_init__(self):
        if self.expected_hours:
            self.completeness = self.valid_hours / self.expected_hours
        if self.emission is not None and self.permitted_quantity:
            self.emission_share = self.emission / 1000 / self.permitted_quantity


@dataclass
class EnterpriseReport:
    enterprise: Enterprise
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    permit_numbers: list[str]
    monitoring: list[MonitoringRow]
    warnings_by_rule: list[dict]
    warnings: list[dict]
    rounds: list[dict]
    work_orders: list[dict]
    permitted_quantity_known: bool = field(default_factory=permitted_quantity_known)


def expected_hours(start: dt.date, end: dt.date, now: dt.datetime | None = None) -> int:
    since, until = period_bounds(start, end)
    until = min(until, now or clock.now())
    return max(0, int((until - since).total_seconds() // 3600))


def _hourly_stats(outlet_ids, since, until):
    """Hourly-aggregate statistics per outlet and pollutant."""
    return (Aggregate.objects.filter(outlet_id__in=outlet_ids, period=Aggregate.Period.HOUR, start__gte=since,
                                     start__lt=until)
            .values("outlet_id", "pollutant_id").order_by()
            .annotate(valid_hours=Count("id", filter=Q(valid_count__gt=0)), values=Sum("valid_count"),
                      total=Sum("sum"), peak=Max("max")))


def _exceedances(outlet_ids, since, until) -> dict[tuple[int, int], int]:
    """Recorded violations whose period began in [since, until), per outlet and pollutant."""
    rows = (Exceedance.objects.standing().filter(outlet_id__in=outlet_ids, start__gte=since, start__lt=until)
            .values("outlet_id", "pollutant_id").order_by().annotate(n=Count("id")))
    return {(r["outlet_id"], r["pollutant_id"]): r["n"] for r in rows}


def _emissions(outlet_ids, since, until) -> dict[tuple[int, int], float]:
    by_kind = {}
    for row in (Reading.objects.filter(outlet_id__in=outlet_ids, observed_at__gte=since, observed_at__lt=until,
                                       kind__in=EMISSION_KINDS, cou__isnull=False)
                .values("outlet_id", "pollutant_id", "kind").order_by().annotate(total=Sum("cou"))):
        by_kind.setdefault((row["outlet_id"], row["pollutant_id"]), {})[row["kind"]] = row["total"]
    return {key: next(kinds[k] for k in EMISSION_KINDS if k in kinds) for key, kinds in by_kind.items()}


def _period_share(start: dt.date, end: dt.date) -> float:
    """The share of a year the period covers, for pro-rata permitted quantities."""
    return ((end - start).days + 1) / 365


def monitoring_rows(enterprise: Enterprise, start: dt.date, end: dt.date) -> list[MonitoringRow]:
    since, until = period_bounds(start, end)
    outlets = {o.pk: o for o in Outlet.objects.filter(enterprise=enterprise)}
    stats = {(r["outlet_id"], r["pollutant_id"]): r
             for r in _hourly_stats(list(outlets), since, until)}
    emissions = _emissions(list(outlets), since, until)
    exceedances = _exceedances(list(outlets), since, until)
    periods = dict(PermitLimit._meta.get_field("averaging_period").choices)
    limit_fields = ["outlet_id", "pollutant_id", "limit_value", "lower_limit", "averaging_period"]
    if permitted_quantity_known():
        limit_fields.append(PERMITTED_QUANTITY_FIELD)
    limits = {(r["outlet_id"], r["pollutant_id"]): r
              for r in PermitLimit.objects.filter(outlet__in=outlets).values(*limit_fields)}
    keys = set(stats) | {key for key in limits if outlets[key[0]].online_monitored}
    pollutants = {p.pk: p for p in Pollutant.objects.filter(pk__in={key[1] for key in keys})}
    hours = expected_hours(start, end)
    rows = []
    for key in keys:
        outlet, pollutant = outlets[key[0]], pollutants[key[1]]
        stat, limit = stats.get(key, {}), limits.get(key, {})
        annual = limit.get(PERMITTED_QUANTITY_FIELD)
        rows.append(MonitoringRow(
            outlet_code=outlet.code, outlet_name=outlet.name, pollutant_code=pollutant.code,
            pollutant_name=pollutant.name, unit=pollutant.unit, is_parameter=pollutant.is_parameter,
            limit=float(limit["limit_value"]) if limit else None,
            lower_limit=float(limit["lower_limit"]) if limit and limit["lower_limit"] is not None else None,
            expected_hours=hours, valid_hours=stat.get("valid_hours", 0),
            average=stat["total"] / stat["values"] if stat.get("values") else None, peak=stat.get("peak"),
            averaging_period=str(periods.get(limit["averaging_period"], "")) if limit else "",
            exceedances=exceedances.get(key, 0) if limit else 0, emission=emissions.get(key),
            permitted_quantity=float(annual) * _period_share(start, end) if annual else None))
    rows.sort(key=lambda r: (r.outlet_code, r.is_parameter, r.pollutant_code))
    return rows


def _local(moment):
    return timezone.localtime(moment) if moment else None


def warning_rows(enterprise, since, until) -> tuple[list[dict], list[dict]]:
    alerts = Alert.objects.filter(enterprise=enterprise, opened_at__gte=since, opened_at__lt=until)
    by_rule = list(alerts.values("rule").order_by("rule").annotate(
        total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)),
        resolved=Count("id", filter=Q(state="resolved")), closed=Count("id", filter=Q(state="closed")),
        alarms=Count("id", filter=Q(is_alarm=True))))
    labels = dict(Alert._meta.get_field("rule").choices)
    for row in by_rule:
        row["rule_label"] = str(labels.get(row["rule"], row["rule"]))
    rows = []
    for alert in alerts.select_related("outlet", "pollutant").order_by("opened_at", "id"):
        if alert.state == "closed":
            handling = alert.close_reason
        elif alert.work_order_id:
            handling = f"工单 #{alert.work_order_id}"
        else:
            handling = ""
        rows.append({"opened_at": _local(alert.opened_at), "outlet": alert.outlet.code,
                     "pollutant": alert.pollutant.name if alert.pollutant_id else "",
                     "rule": alert.get_rule_display(), "peak": alert.peak_value, "limit": alert.limit_value,
                     "state": alert.get_state_display(), "acknowledged_at": _local(alert.acknowledged_at),
                     "ended_at": _local(alert.resolved_at), "alarm": alert.is_alarm, "handling": handling})
    return by_rule, rows


def round_rows(enterprise, since, until) -> list[dict]:
    qs = (Round.objects.filter(enterprise=enterprise, submitted_at__gte=since, submitted_at__lt=until)
          .annotate(lines=Count("results"), failed=Count("results", filter=Q(results__result="fail")))
          .select_related("performed_by").order_by("submitted_at", "id"))
    return [{"kind": r.get_kind_display(), "submitted_at": _local(r.submitted_at), "lines": r.lines,
             "failed": r.failed, "by": r.performed_by.get_full_name() or r.performed_by.username,
             "case": r.case_number} for r in qs]


def work_order_rows(enterprise, since, until) -> list[dict]:
    qs = WorkOrder.objects.filter(enterprise=enterprise, opened_at__gte=since, opened_at__lt=until) \
        .order_by("opened_at", "id")
    return [{"id": o.pk, "title": o.title, "source": o.get_source_display(), "state": o.get_state_display(),
             "opened_at": _local(o.opened_at), "closed_at": _local(o.closed_at), "on_time": o.on_time} for o in qs]


def enterprise_report(enterprise: Enterprise, start: dt.date, end: dt.date) -> EnterpriseReport:
    since, until = period_bounds(start, end)
    by_rule, warnings = warning_rows(enterprise, since, until)
    return EnterpriseReport(
        enterprise=enterprise, start=start, end=end, generated_at=timezone.localtime(clock.now()),
        permit_numbers=list(enterprise.permits.order_by("-issued_on").values_list("number", flat=True)),
        monitoring=monitoring_rows(enterprise, start, end), warnings_by_rule=by_rule, warnings=warnings,
        rounds=round_rows(enterprise, since, until), work_orders=work_order_rows(enterprise, since, until))


@dataclass
class CountySummary:
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    rows: list[dict]
    totals: dict


def _valid_hours_by_enterprise(online, since, until) -> dict[int, int]:
    """Hours with valid data of the limited pollutants of the ``online`` outlets, per enterprise, from the
    daily roll-up (one row per day, not 24), refreshed first for the days that changed since counted."""
    valid_hours_refresh(since=since, until=until, outlets=online.values("pk"))
    rows = (ValidHoursDay.objects.filter(outlet__in=online, start__gte=since, start__lt=until)
            .annotate(lim=FilteredRelation("outlet__limits", condition=Q(outlet__limits__pollutant=F("pollutant"))))
            .filter(lim__isnull=False).values("outlet__enterprise_id").order_by().annotate(n=Sum("valid_hours")))
    return {r["outlet__enterprise_id"]: r["n"] for r in rows}


def county_summary(enterprises, start: dt.date, end: dt.date) -> CountySummary:
    """One row per enterprise of ``enterprises`` (a queryset): online completeness, exceedances,
    warnings, work orders and on-site checks of the period; each figure from one grouped query, the
    completeness from the daily roll-up of valid hours."""
    since, until = period_bounds(start, end)
    ents = list(enterprises.select_related("township", "industry").order_by("township__code", "name")
                .values("pk", "name", "credit_code", "township__name", "industry__name", "eco_code__colour"))
    ids = [e["pk"] for e in ents]
    online = Outlet.objects.filter(enterprise_id__in=ids, online_monitored=True)
    # Pairs expected to report: limited pollutants of online outlets.
    pairs = dict(PermitLimit.objects.filter(outlet__in=online).values("outlet__enterprise_id").order_by()
                 .annotate(n=Count("id")).values_list("outlet__enterprise_id", "n"))
    valid_hours = _valid_hours_by_enterprise(online, since, until)
    exceedances = dict(Exceedance.objects.standing().filter(enterprise_id__in=ids, start__gte=since, start__lt=until)
                       .values("enterprise_id").order_by().annotate(n=Count("id")).values_list("enterprise_id", "n"))
    alerts = {r["enterprise_id"]: r for r in Alert.objects.filter(
        enterprise_id__in=ids, opened_at__gte=since, opened_at__lt=until).values("enterprise_id").order_by()
        .annotate(total=Count("id"), exceed=Count("id", filter=Q(rule="exceedance")),
                  open=Count("id", filter=Q(state__in=OPEN_STATES)))}
    orders = {r["enterprise_id"]: r for r in WorkOrder.objects.filter(
        enterprise_id__in=ids, opened_at__gte=since, opened_at__lt=until).values("enterprise_id").order_by()
        .annotate(total=Count("id"), closed=Count("id", filter=Q(state="closed")),
                  late=Count("id", filter=Q(on_time=False)))}
    rounds = {r["enterprise_id"]: r for r in Round.objects.filter(
        enterprise_id__in=ids, submitted_at__gte=since, submitted_at__lt=until).values("enterprise_id").order_by()
        .annotate(self_checks=Count("id", filter=Q(kind="self_check")),
                  on_site=Count("id", filter=~Q(kind="self_check")))}
    hours = expected_hours(start, end)
    rows, totals = [], {"enterprises": len(ents), "exceedances": 0, "warnings": 0, "work_orders": 0,
                        "on_site": 0, "self_checks": 0, "valid_hours": 0, "expected_hours": 0}
    for ent in ents:
        pk = ent["pk"]
        alert, order, rnd = alerts.get(pk, {}), orders.get(pk, {}), rounds.get(pk, {})
        expected, valid = pairs.get(pk, 0) * hours, valid_hours.get(pk, 0)
        row = {"name": ent["name"], "credit_code": ent["credit_code"], "township": ent["township__name"],
               "industry": ent["industry__name"], "colour": ent["eco_code__colour"] or "",
               "completeness": min(1.0, valid / expected) if expected else None,
               "exceedances": exceedances.get(pk, 0), "warnings": alert.get("total", 0),
               "exceedance_warnings": alert.get("exceed", 0), "open_warnings": alert.get("open", 0),
               "work_orders": order.get("total", 0), "work_orders_closed": order.get("closed", 0),
               "work_orders_late": order.get("late", 0), "self_checks": rnd.get("self_checks", 0),
               "on_site": rnd.get("on_site", 0)}
        rows.append(row)
        for key in ("exceedances", "warnings", "work_orders", "on_site", "self_checks"):
            totals[key] += row[key]
        totals["valid_hours"] += min(valid, expected)
        totals["expected_hours"] += expected
    totals["completeness"] = totals["valid_hours"] / totals["expected_hours"] if totals["expected_hours"] else None
    return CountySummary(start=start, end=end, generated_at=timezone.localtime(clock.now()), rows=rows,
                         totals=totals)
