"""Permit limits judged on their own averaging period, early: what each limit's current period looks
like at a moment, and which completed periods were over their limit.

A ``PermitLimit`` states its averaging period (instantaneous, half-hour, hourly, daily). Its window is
the aggregate of that period (an instantaneous limit looks at the largest and smallest valid value of
the current half-hour). At ``now``:

* ``judge(now).states`` — for every limit with valid data in its current period: the average so far, the
  latest values (the newest sub-window: the latest hour of a day, the latest half-hour of an hour; a
  half-hour's own average) and the projection ``f × average + (1 − f) × latest``, where ``f`` is the
  share of the period gone. Over (or under a lower bound), or projected so, is an early warning: the
  rest of the period would need values the latest ones are not on course for. A limit whose current
  period has no valid data yet is judged on its last completed period.
* ``judge(now).exceedances()`` — the last completed period of every limit whose average (an
  instantaneous limit: any valid value) broke it: a violation, recorded apart from the early warning.

Two-sided limits (pH 6–9) are ranges: ``near`` means within ``1 − share`` of the range's width of the
nearer bound (pH 7.2 is nowhere near 6 or 9), and the warning names that bound; a one-sided limit is
near at ``share`` × the limit. Near is judged on the value the warning shows (the average so far, or
an instantaneous limit's extreme nearer its bound), not on the projection, which only makes early
exceedance warnings. Each limit is one set-based query per averaging period, whatever the number of
outlets.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf

from enterprises.models import AveragingPeriod

from monitoring.models import Aggregate

LOCAL = ZoneInfo("Asia/Shanghai")
# The aggregate each averaging period is judged on, its length, and the sub-window of its latest values.
WINDOW = {AveragingPeriod.INSTANT: "half_hour", AveragingPeriod.HALF_HOUR: "half_hour",
          AveragingPeriod.HOUR: "hour", AveragingPeriod.DAY: "day"}
LENGTH = {"half_hour": dt.timedelta(minutes=30), "hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1)}
LATEST = {"hour": "half_hour", "day": "hour"}


def period_start(at: dt.datetime, period: str) -> dt.datetime:
    """Start of the ``period`` window containing ``at`` (a day starts at local midnight)."""
    if period == "day":
        local = at.astimezone(LOCAL)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    utc = at.astimezone(dt.UTC)
    if period == "hour":
        return utc.replace(minute=0, second=0, microsecond=0)
    return utc.replace(minute=utc.minute - utc.minute % 30, second=0, microsecond=0)


@dataclass(frozen=True)
class LimitState:
    """One limit's window (current or completed) at a moment."""

    outlet_id: int
    enterprise_id: int
    pollutant_id: int
    averaging_period: str
    start: dt.datetime
    end: dt.datetime
    limit: float
    lower: float | None
    unit: str
    average: float
    low: float
    high: float
    valid_count: int
    kind: str
    latest: float | None = None
    elapsed: float = 1.0

    @property
    def instantaneous(self) -> bool:
        return self.averaging_period == AveragingPeriod.INSTANT

    @property
    def projected(self) -> float:
        """The period's average if the rest of it went on like the latest values."""
        if self.latest is None or self.instantaneous:
            return self.average
        return self.elapsed * self.average + (1 - self.elapsed) * self.latest

    def _judged(self) -> tuple[float, float]:
        """The (highest, lowest) value judged: the extremes for an instantaneous limit, else the average
        so far and its projection."""
        if self.instantaneous:
            return self.high, self.low
        return max(self.average, self.projected), min(self.average, self.projected)

    @property
    def over(self) -> bool:
        """Over the limit (or under its lower bound), now or on course to be by the period's end."""
        high, low = self._judged()
        return high > self.limit or (self.lower is not None and low < self.lower)

    def near(self, share: float) -> bool:
        """Near a bound but not over it, judged on the value shown (``value``): one-sided at ``share`` ×
        the limit; a range within ``(1 − share)`` × its width of the nearer bound."""
        if self.over:
            return False
        value = self.value
        if self.lower is None:
            return value >= self.limit * share
        margin = (self.limit - self.lower) * (1 - share)
        return value >= self.limit - margin or value <= self.lower + margin

    @property
    def value(self) -> float:
        """The value shown and judged near: the average so far; for an instantaneous limit the extreme
        nearer its bound (or further past it): the lowest value of a range when it is closer to the lower
        bound than the highest is to the upper one."""
        if not self.instantaneous:
            return self.average
        if self.lower is not None and self.low - self.lower < self.limit - self.high:
            return self.low
        return self.high

    def bound(self) -> float:
        """The bound the value is judged against: of a range, the one broken, else the one nearer the
        value; of a one-sided limit, the limit."""
        if self.lower is None:
            return self.limit
        if self.over:
            high, _ = self._judged()
            return self.limit if high > self.limit else self.lower
        return self.lower if self.value - self.lower < self.limit - self.value else self.limit

    @property
    def has_projection(self) -> bool:
        """Is there a course to project: a current averaging period with its latest values?"""
        return self.latest is not None and not self.instantaneous and self.elapsed < 1

    def evidence(self) -> dict:
        return {"averaging_period": self.averaging_period, "window_start": self.start.isoformat(),
                "window_end": self.end.isoformat(), "average": self.average, "min": self.low, "max": self.high,
                "valid_readings": self.valid_count, "built_from": self.kind, "latest": self.latest,
                "elapsed_share": round(self.elapsed, 3), "limit": self.limit, "lower_limit": self.lower,
                "unit": self.unit, **({"projected": round(self.projected, 4)} if self.has_projection else {})}


def _windows(periods, start: dt.datetime, outlet_ids=None):
    """Aggregates of outlets at ``start`` in the window of ``periods``, with valid data, joined to the
    permit limit of the same pollutant stating one of those averaging periods."""
    window = WINDOW[periods[0]]
    qs = (Aggregate.objects
          .filter(period=window, start=start, outlet__isnull=False, valid_count__gt=0, avg__isnull=False,
                  pollutant__is_parameter=False, outlet__limits__pollutant=F("pollutant"),
                  outlet__limits__averaging_period__in=periods)
          .annotate(limit=Cast("outlet__limits__limit_value", FloatField()),
                    lower=Cast("outlet__limits__lower_limit", FloatField()),
                    averaging=F("outlet__limits__averaging_period"),
                    unit=Coalesce(NullIf("outlet__limits__unit", Value("")), "pollutant__unit")))
    if outlet_ids is not None:
        qs = qs.filter(outlet_id__in=outlet_ids)
    return qs


def _worth_judging(qs, share: float, with_latest: bool):
    """Only the windows that may be near (at ``share``) or over their limit: their extremes or latest
    values reach a near threshold. A superset, cheap in the database (the projection lies between the
    average and the latest values); ``LimitState`` decides exactly on the few rows it lets through."""
    share -= 1e-9  # never lose a boundary case to rounding
    peak, trough = Coalesce("max", "avg"), Coalesce("min", "avg")
    if with_latest:
        peak, trough = Greatest(peak, Coalesce("latest", "avg")), Least(trough, Coalesce("latest", "avg"))
    margin = (F("limit") - F("lower")) * Value(1 - share)
    return qs.annotate(peak=peak, trough=trough).filter(
        Q(lower__isnull=True, peak__gte=F("limit") * Value(share))
        | Q(lower__isnull=False, peak__gte=F("limit") - margin)
        | Q(lower__isnull=False, trough__lte=F("lower") + margin))


def _states(qs, start: dt.datetime, end: dt.datetime, elapsed: float, extra: str | None) -> list[tuple]:
    """(LimitState, the ``extra`` field's value) of each row."""
    fields = ["outlet_id", "outlet__enterprise_id", "pollutant_id", "averaging", "limit", "lower", "unit", "avg",
              "min", "max", "valid_count", "kind", *([extra] if extra else [])]
    return [(LimitState(*row[:4], start, end, *row[4:6], row[6] or "", *row[7:12],
                        row[12] if extra == "latest" else None, elapsed), row[12] if extra else None)
            for row in qs.values_list(*fields)]


GROUPS = ((AveragingPeriod.INSTANT, AveragingPeriod.HALF_HOUR), (AveragingPeriod.HOUR,), (AveragingPeriod.DAY,))


@dataclass
class Judgement:
    """``states``: each limit's current period, or its last completed one when the current one has no
    valid data yet (an hourly logger's hour arrives after the hour; a new period has no data in its
    first minutes). ``completed``: each limit's last completed period. Both hold only the windows that
    may be near (at the ``share`` judged) or over their limit."""

    states: list[LimitState]
    completed: list[LimitState]

    def exceedances(self) -> list[LimitState]:
        """The completed periods that broke their limit."""
        return [s for s in self.completed if s.over]


def judge(now: dt.datetime, outlet_ids=None, share: float = 1.0) -> Judgement:
    """Every limit's windows at ``now`` that may be near (at ``share``) or over: two queries per
    averaging period (see the module docstring)."""
    states, completed = [], []
    for periods in GROUPS:
        window = WINDOW[periods[0]]
        start = period_start(now, window)
        end, before = start + LENGTH[window], start - LENGTH[window]
        elapsed = min(1.0, max(0.0, (now - start) / LENGTH[window]))
        qs = _windows(periods, start, outlet_ids)
        sub = LATEST.get(window)
        if sub:
            latest = (Aggregate.objects.filter(outlet_id=OuterRef("outlet_id"), pollutant_id=OuterRef("pollutant_id"),
                                               period=sub, start__gte=start, start__lt=end, valid_count__gt=0)
                      .order_by("-start").values("avg")[:1])
            qs = qs.annotate(latest=Subquery(latest, output_field=FloatField()))
        states += [state for state, _ in _states(_worth_judging(qs, share, bool(sub)), start, end, elapsed,
                                                 "latest" if sub else None)]
        current = Aggregate.objects.filter(outlet_id=OuterRef("outlet_id"), pollutant_id=OuterRef("pollutant_id"),
                                           period=window, start=start, valid_count__gt=0, avg__isnull=False)
        previous = _worth_judging(_windows(periods, before, outlet_ids), share, False) \
            .annotate(has_current=Exists(current))
        for state, has_current in _states(previous, before, start, 1.0, "has_current"):
            completed.append(state)
            if not has_current:  # no valid data in the current period yet: the last one stands
                states.append(state)
    return Judgement(states, completed)


def judged_keys(now: dt.datetime, outlet_ids) -> set[tuple[int, int]]:
    """(outlet, pollutant) pairs among ``outlet_ids`` with valid data in their limit's current or last
    period: whether near or over or not, these have been judged (no data is not good data)."""
    which = Q(pk__in=[])
    for periods in GROUPS:
        start = period_start(now, WINDOW[periods[0]])
        which |= Q(period=WINDOW[periods[0]], start__in=[start, start - LENGTH[WINDOW[periods[0]]]],
                   outlet__limits__averaging_period__in=periods)
    return set(Aggregate.objects.filter(which, outlet_id__in=outlet_ids, valid_count__gt=0, avg__isnull=False,
                                        outlet__limits__pollutant=F("pollutant"))
               .values_list("outlet_id", "pollutant_id").distinct())
