"""The five warning rules as a handful of set-based queries over the whole county.

``detect(now, cfg)`` returns every condition that holds at ``now`` as ``Finding``s keyed by
``(outlet_id, pollutant_id or None, rule)``. Each rule is a few queries over the aggregates, the
devices or the recent readings, never a loop of queries per outlet:

* exceedance — the early warning: a limit's current averaging period (as the permit states it:
  instantaneous, half-hour, hourly, daily) over the limit, or on course to be (``limit_windows``);
* near limit — near the limit (a range such as pH 6–9: near either bound, relative to its width);
* flat line — every half-hour of the window has valid data and the values all stay within
  ``flat_line_tolerance`` × limit of each other (a stuck or zeroed analyser); the window holds at least
  three measuring cycles of the analyser (COD and ammonia analysers measure every 1–2 hours);
* missing data — an online-monitored outlet whose active devices sent nothing within their allowance
  (``missing_data_minutes``, or two reporting intervals of an hourly logger);
* device flag — readings flagged other than N (stopped, maintenance, fault, calibration, set value,
  over range, communication fault), or an instrument state other than running (``instrument_status``),
  since the start of the last complete half-hour; one per outlet. Its evidence names the pollutants
  it concerns (``pollutants``) when every flag and state came with its pollutant or analyser; without
  it, it concerns the whole outlet (a state naming no analyser). An instrument in maintenance or
  calibration also mutes the limit rules of what it concerns (``instrument_status``).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models import FloatField as FloatF
from django.db.models.functions import Cast

from enterprises.models import Outlet
from monitoring.models import Aggregate, DataFlag, Device, Reading

from . import instrument_status, limit_windows
from .models import AlertSettings, Rule

HALF_HOUR = timedelta(minutes=30)

Key = tuple[int, int | None, str]


@dataclass(frozen=True)
class Finding:
    outlet_id: int
    enterprise_id: int
    pollutant_id: int | None
    rule: str
    value: float | None = None
    limit: float | None = None
    evidence: dict = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.outlet_id, self.pollutant_id, self.rule)


def half_hour_floor(at: datetime) -> datetime:
    return at.replace(minute=at.minute - at.minute % 30, second=0, microsecond=0)


def last_complete_half_hour(now: datetime) -> datetime:
    """Start of the last half-hour that has ended at ``now``."""
    return half_hour_floor(now) - HALF_HOUR


def limit_findings(judgement: limit_windows.Judgement, muted: dict[int, set], cfg: AlertSettings
                   ) -> tuple[list[Finding], set[Key]]:
    """Exceedance (over the limit, or on course to be, in the limit's own averaging period) and
    near-limit findings, and the keys of near-limit conditions in the wide sense (near or over), which
    keep an open near-limit warning open while the value goes on over the limit. What instruments in
    maintenance or calibration concern (``muted``: an analyser's pollutant, or the whole outlet) is not
    judged."""
    share = float(cfg.near_limit_share)
    findings, near_wide = [], set()
    for state in judgement.states:
        if instrument_status.covers(muted.get(state.outlet_id), state.pollutant_id):
            continue
        near_key = (state.outlet_id, state.pollutant_id, Rule.NEAR_LIMIT)
        if state.over:
            near_wide.add(near_key)
            findings.append(Finding(state.outlet_id, state.enterprise_id, state.pollutant_id, Rule.EXCEEDANCE,
                                    state.value, state.bound(), state.evidence()))
        elif state.near(share):
            near_wide.add(near_key)
            findings.append(Finding(state.outlet_id, state.enterprise_id, state.pollutant_id, Rule.NEAR_LIMIT,
                                    state.value, state.bound(), {**state.evidence(), "share": share}))
    return findings, near_wide


# Analysers that measure every 1–2 hours and repeat their last value in between (COD, ammonia nitrogen,
# total phosphorus, total nitrogen): their default measuring cycle, unless the device states its own.
SLOW_ANALYSER_CYCLE_MINUTES = 120
SLOW_ANALYSERS = ("w01018", "w21003", "w21011", "w21001")
FLAT_LINE_CYCLES = 3  # a flat line is this many measuring cycles in a row with the same value


def flat_line_windows(cfg: AlertSettings) -> dict[int, Q]:
    """Window length (minutes) → the aggregates judged over it: ``flat_line_minutes``, or at least
    FLAT_LINE_CYCLES measuring cycles of the analyser (the device's ``measuring_cycle_minutes``, else
    SLOW_ANALYSER_CYCLE_MINUTES for the slow analysers)."""
    base = cfg.flat_line_minutes
    cycles = dict(Device.objects.filter(outlet__isnull=False, is_active=True, measuring_cycle_minutes__isnull=False)
                  .values("outlet_id").annotate(cycle=Max("measuring_cycle_minutes")).values_list("outlet_id", "cycle"))
    windows: dict[int, Q] = defaultdict(lambda: Q(pk__in=[]))
    windows[base] |= ~Q(outlet_id__in=list(cycles)) & ~Q(pollutant__code__in=SLOW_ANALYSERS)
    windows[max(base, FLAT_LINE_CYCLES * SLOW_ANALYSER_CYCLE_MINUTES)] |= \
        ~Q(outlet_id__in=list(cycles)) & Q(pollutant__code__in=SLOW_ANALYSERS)
    for outlet_id, cycle in cycles.items():
        windows[max(base, FLAT_LINE_CYCLES * cycle)] |= Q(outlet_id=outlet_id)
    return windows


def flat_line_findings(now: datetime, cfg: AlertSettings) -> list[Finding]:
    """Outlet pollutants whose valid half-hour values stayed within the tolerance over their whole
    window (``flat_line_windows``): one query per distinct window length."""
    end = half_hour_floor(now)
    tolerance = float(cfg.flat_line_tolerance)
    found = []
    for minutes, which in flat_line_windows(cfg).items():
        slots = max(2, minutes // 30)
        start = end - HALF_HOUR * slots
        rows = (Aggregate.objects
                .filter(which, period=Aggregate.Period.HALF_HOUR, start__gte=start, start__lt=end,
                        outlet__isnull=False, valid_count__gt=0, pollutant__is_parameter=False,
                        outlet__limits__pollutant=F("pollutant"))
                .values("outlet_id", "pollutant_id")
                .annotate(slots=Count("id"), low=Min("min"), high=Max("max"),
                          limit=Max(Cast("outlet__limits__limit_value", FloatF())))
                .filter(slots=slots, high__lte=F("low") + F("limit") * Value(tolerance))
                .values_list("outlet_id", "pollutant_id", "low", "high", "limit"))
        found += [(start, slots, *row) for row in rows]
    # the enterprises of the few flat outlets only (joined in the query, every aggregate would read its outlet)
    enterprises = dict(Outlet.objects.filter(pk__in={row[2] for row in found}).values_list("pk", "enterprise_id"))
    return [Finding(outlet_id, enterprises[outlet_id], pollutant_id, Rule.FLAT_LINE, high, limit,
                    {"window_start": start.isoformat(), "window_minutes": slots * 30, "min": low, "max": high,
                     "tolerance": tolerance * limit})
            for start, slots, outlet_id, pollutant_id, low, high, limit in found]


def missing_data_findings(now: datetime, cfg: AlertSettings) -> list[Finding]:
    """Online-monitored outlets with an active device, none of which reported within its allowance:
    the longer of ``missing_data_minutes`` and two of the device's reporting intervals (an hourly-only
    logger is not missing at minute 59). One condition per distinct interval (a handful)."""
    intervals = set(Device.objects.filter(is_active=True, outlet__isnull=False).order_by()
                    .values_list("reporting_interval_minutes", flat=True).distinct())
    fresh = Q(pk__in=[])
    for minutes in intervals:
        allowance = max(cfg.missing_after, timedelta(minutes=2 * (minutes or 0)))
        which = Q(devices__reporting_interval_minutes=minutes) if minutes is not None else \
            Q(devices__reporting_interval_minutes__isnull=True)
        fresh |= which & Q(devices__last_seen_at__gte=now - allowance)
    rows = (Outlet.objects.filter(online_monitored=True, devices__is_active=True)
            .values("id", "enterprise_id").annotate(last=Max("devices__last_seen_at"),
                                                    fresh=Count("devices", filter=fresh))
            .filter(fresh=0)
            .values_list("id", "enterprise_id", "last"))
    return [Finding(outlet_id, enterprise_id, None, Rule.MISSING_DATA, None, None,
                    {"last_data_at": last.isoformat() if last else None, "minutes": cfg.missing_data_minutes})
            for outlet_id, enterprise_id, last in rows]


def device_flag_findings(now: datetime, states: instrument_status.States) -> list[Finding]:
    """Outlets that sent flagged (not N) data, or whose instruments report a state other than running
    (``states``: maintenance, calibration, fault…, see ``instrument_status``), since the start of the last
    complete half-hour. The aggregates (count above valid_count) pick the few outlets to look at in the
    big readings table."""
    start = last_complete_half_hour(now)
    suspects = (Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, start__gte=start, start__lte=now,
                                         outlet__isnull=False, count__gt=F("valid_count"))
                .values("outlet_id"))
    rows = (Reading.objects.filter(outlet_id__in=suspects, observed_at__gte=start, observed_at__lte=now)
            .exclude(flag=DataFlag.NORMAL)
            .values("outlet_id", "outlet__enterprise_id", "pollutant_id", "pollutant__code", "flag")
            .annotate(n=Count("*"), last=Max("observed_at"))
            .order_by())
    by_outlet: dict[int, dict] = {}
    for row in rows:
        entry = by_outlet.setdefault(row["outlet_id"], {"enterprise_id": row["outlet__enterprise_id"], "flags": {},
                                                        "last": row["last"], "scopes": set()})
        entry["flags"].setdefault(row["flag"], {})[row["pollutant__code"]] = row["n"]
        entry["scopes"].add(row["pollutant_id"])
        entry["last"] = max(entry["last"], row["last"])
    if states:
        enterprises = dict(Outlet.objects.filter(pk__in=states).values_list("pk", "enterprise_id"))
        for outlet_id, by_scope in states.items():
            entry = by_outlet.setdefault(outlet_id, {"enterprise_id": enterprises[outlet_id], "flags": {},
                                                     "last": None, "scopes": set()})
            by_code = instrument_status.merged(by_scope)
            entry["status"] = {code: sorted(values) for code, values in by_code.items()}
            entry["status_text"] = instrument_status.describe(by_code)
            entry["scopes"] |= set(by_scope)
    return [Finding(outlet_id, entry["enterprise_id"], None, Rule.DEVICE_FLAG, None, None,
                    {"window_start": start.isoformat(), "flags": entry["flags"],
                     "last_flagged_at": entry["last"].isoformat() if entry["last"] else None,
                     **({"status": entry["status"], "status_text": entry["status_text"]} if "status" in entry else {}),
                     **({} if instrument_status.WHOLE_OUTLET in entry["scopes"]
                        else {"pollutants": sorted(entry["scopes"])})})
            for outlet_id, entry in by_outlet.items()]


@dataclass
class Detection:
    findings: dict[Key, Finding]
    near_wide: set[Key]
    judgement: limit_windows.Judgement | None = None
    muted: dict[int, set] = field(default_factory=dict)

    def holds(self, key: Key) -> bool:
        """Does the condition of an open warning with this key still hold?"""
        return key in self.findings or (key[2] == Rule.NEAR_LIMIT and key in self.near_wide)


def detect(now: datetime, cfg: AlertSettings) -> Detection:
    judgement = limit_windows.judge(now, share=float(cfg.near_limit_share))
    states = instrument_status.instrument_states(last_complete_half_hour(now), now)
    muted = instrument_status.muted(states)
    limit, near_wide = limit_findings(judgement, muted, cfg)
    findings = [*limit, *flat_line_findings(now, cfg), *missing_data_findings(now, cfg),
                *device_flag_findings(now, states)]
    return Detection({f.key: f for f in findings}, near_wide, judgement, muted)


def keys_with_valid_data(now: datetime, outlet_ids) -> set[tuple[int, int]]:
    """(outlet, pollutant) pairs among ``outlet_ids`` with valid data in the window their rule judges
    (the last complete half-hour; a limit's current or last period): only for these can a limit or
    flat-line warning be judged clear (no data is not good data)."""
    outlet_ids = list(outlet_ids)
    if not outlet_ids:
        return set()
    keys = set(Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, start=last_complete_half_hour(now),
                                        outlet_id__in=outlet_ids, valid_count__gt=0)
               .values_list("outlet_id", "pollutant_id"))
    return keys | limit_windows.judged_keys(now, outlet_ids)
