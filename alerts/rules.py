"""The five warning rules as a handful of set-based queries over the whole county.

``detect(now, cfg)`` returns every condition that holds at ``now`` as ``Finding``s keyed by
``(outlet_id, pollutant_id or None, rule)``. Each rule is one query over the half-hour aggregates,
the devices or the recent readings, never a loop of queries per outlet:

* exceedance — the last complete half-hour's average of valid (flag N) data above the permit limit,
  or below its lower limit (pH);
* near limit — that average at or above ``near_limit_share`` of the limit;
* flat line — every half-hour of the ``flat_line_minutes`` window has valid data and the values all
  stay within ``flat_line_tolerance`` × limit of each other (a stuck or zeroed analyser);
* missing data — an online-monitored outlet whose active devices sent nothing for ``missing_data_minutes``;
* device flag — readings flagged other than N (stopped, maintenance, fault, calibration, set value,
  over range, communication fault) since the start of the last complete half-hour; one per outlet.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models import FloatField as FloatF
from django.db.models.functions import Cast

from enterprises.models import Outlet
from monitoring.models import Aggregate, DataFlag, Reading

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


def _limited_aggregates(start: datetime):
    """Half-hour aggregates of outlets starting at ``start`` with valid data, joined to their permit limit."""
    return (Aggregate.objects
            .filter(period=Aggregate.Period.HALF_HOUR, start=start, outlet__isnull=False, valid_count__gt=0,
                    avg__isnull=False, pollutant__is_parameter=False, outlet__limits__pollutant=F("pollutant"))
            .annotate(limit=Cast("outlet__limits__limit_value", FloatF()),
                      lower=Cast("outlet__limits__lower_limit", FloatF())))


def limit_findings(now: datetime, cfg: AlertSettings) -> tuple[list[Finding], set[Key]]:
    """Exceedance and near-limit findings of the last complete half-hour, and the keys of near-limit
    conditions in the wide sense (at or above the share, over the limit included) which keep an open
    near-limit warning open while the value goes on over the limit."""
    start = last_complete_half_hour(now)
    share = float(cfg.near_limit_share)
    rows = (_limited_aggregates(start)
            .filter(Q(avg__gte=F("limit") * Value(share)) | Q(lower__isnull=False, avg__lt=F("lower")))
            .values_list("outlet_id", "outlet__enterprise_id", "pollutant_id", "avg", "limit", "lower",
                         "valid_count"))
    findings, near_wide = [], set()
    for outlet_id, enterprise_id, pollutant_id, avg, limit, lower, n in rows:
        evidence = {"window_start": start.isoformat(), "window_minutes": 30, "valid_readings": n,
                    "average": avg, "limit": limit}
        if lower is not None and avg < lower:
            evidence["lower_limit"] = lower
            findings.append(Finding(outlet_id, enterprise_id, pollutant_id, Rule.EXCEEDANCE, avg, lower, evidence))
            continue
        if avg >= limit * share:
            near_wide.add((outlet_id, pollutant_id, Rule.NEAR_LIMIT))
        if avg > limit:
            findings.append(Finding(outlet_id, enterprise_id, pollutant_id, Rule.EXCEEDANCE, avg, limit, evidence))
        elif avg >= limit * share:
            evidence["share"] = share
            findings.append(Finding(outlet_id, enterprise_id, pollutant_id, Rule.NEAR_LIMIT, avg, limit, evidence))
    return findings, near_wide


def flat_line_findings(now: datetime, cfg: AlertSettings) -> list[Finding]:
    """Outlet pollutants whose valid half-hour values stayed within the tolerance over the whole window."""
    end = half_hour_floor(now)
    slots = max(2, cfg.flat_line_minutes // 30)
    start = end - HALF_HOUR * slots
    tolerance = float(cfg.flat_line_tolerance)
    rows = (Aggregate.objects
            .filter(period=Aggregate.Period.HALF_HOUR, start__gte=start, start__lt=end, outlet__isnull=False,
                    valid_count__gt=0, pollutant__is_parameter=False, outlet__limits__pollutant=F("pollutant"))
            .values("outlet_id", "pollutant_id")
            .annotate(slots=Count("id"), low=Min("min"), high=Max("max"),
                      limit=Max(Cast("outlet__limits__limit_value", FloatF())),
                      enterprise_id=Max("outlet__enterprise_id"))
            .filter(slots=slots, high__lte=F("low") + F("limit") * Value(tolerance))
            .values_list("outlet_id", "enterprise_id", "pollutant_id", "low", "high", "limit"))
    return [Finding(outlet_id, enterprise_id, pollutant_id, Rule.FLAT_LINE, high, limit,
                    {"window_start": start.isoformat(), "window_minutes": slots * 30, "min": low, "max": high,
                     "tolerance": tolerance * limit})
            for outlet_id, enterprise_id, pollutant_id, low, high, limit in rows]


def missing_data_findings(now: datetime, cfg: AlertSettings) -> list[Finding]:
    """Online-monitored outlets with an active device, none of whose devices was heard from lately."""
    cutoff = now - cfg.missing_after
    rows = (Outlet.objects.filter(online_monitored=True, devices__is_active=True)
            .values("id", "enterprise_id").annotate(last=Max("devices__last_seen_at"))
            .filter(Q(last__lt=cutoff) | Q(last__isnull=True))
            .values_list("id", "enterprise_id", "last"))
    return [Finding(outlet_id, enterprise_id, None, Rule.MISSING_DATA, None, None,
                    {"last_data_at": last.isoformat() if last else None, "minutes": cfg.missing_data_minutes})
            for outlet_id, enterprise_id, last in rows]


def device_flag_findings(now: datetime) -> list[Finding]:
    """Outlets that sent flagged (not N) data since the start of the last complete half-hour. The
    aggregates (count above valid_count) pick the few outlets to look at in the big readings table."""
    start = last_complete_half_hour(now)
    suspects = (Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, start__gte=start, outlet__isnull=False,
                                         count__gt=F("valid_count"))
                .values("outlet_id"))
    rows = (Reading.objects.filter(outlet_id__in=suspects, observed_at__gte=start, observed_at__lte=now)
            .exclude(flag=DataFlag.NORMAL)
            .values("outlet_id", "outlet__enterprise_id", "pollutant__code", "flag")
            .annotate(n=Count("*"), last=Max("observed_at"))
            .order_by())
    by_outlet: dict[int, dict] = {}
    for row in rows:
        entry = by_outlet.setdefault(row["outlet_id"], {"enterprise_id": row["outlet__enterprise_id"], "flags": {},
                                                        "last": row["last"]})
        entry["flags"].setdefault(row["flag"], {})[row["pollutant__code"]] = row["n"]
        entry["last"] = max(entry["last"], row["last"])
    return [Finding(outlet_id, entry["enterprise_id"], None, Rule.DEVICE_FLAG, None, None,
                    {"window_start": start.isoformat(), "flags": entry["flags"],
                     "last_flagged_at": entry["last"].isoformat()})
            for outlet_id, entry in by_outlet.items()]


@dataclass
class Detection:
    findings: dict[Key, Finding]
    near_wide: set[Key]

    def holds(self, key: Key) -> bool:
        """Does the condition of an open warning with this key still hold?"""
        return key in self.findings or (key[2] == Rule.NEAR_LIMIT and key in self.near_wide)


def detect(now: datetime, cfg: AlertSettings) -> Detection:
    limit, near_wide = limit_findings(now, cfg)
    findings = [*limit, *flat_line_findings(now, cfg), *missing_data_findings(now, cfg), *device_flag_findings(now)]
    return Detection({f.key: f for f in findings}, near_wide)


def keys_with_valid_data(now: datetime, outlet_ids) -> set[tuple[int, int]]:
    """(outlet, pollutant) pairs among ``outlet_ids`` with valid data in the last complete half-hour:
    only for these can a limit or flat-line warning be judged clear (no data is not good data)."""
    return set(Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, start=last_complete_half_hour(now),
                                        outlet_id__in=outlet_ids, valid_count__gt=0)
               .values_list("outlet_id", "pollutant_id"))
