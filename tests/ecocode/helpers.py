"""Helpers of the eco-code tests: score a hand-built case on hand-written indicators; reports; the
exceedances alerts records from hand-built hourly data."""
import datetime as dt

from ecocode.rules import Context
from ecocode.services.scoring import evaluate
from enterprises.models import ExecutionReport

from .conftest import NOW


def ind(rule: str, weight=10, cap: str = "", **params) -> dict:
    """An indicator as it appears in a catalogue snapshot."""
    return {"code": "", "name": rule, "group": "management", "weight": str(weight), "rule": rule, "params": params,
            "source": "", "colour_cap": cap, "active": True}


def points(enterprise, *indicators, at=NOW) -> list[float]:
    """Points each indicator costs ``enterprise``."""
    snap = {"indicators": [dict(i, code=f"T{n:02d}") for n, i in enumerate(indicators)], "bands": []}
    losses, unavailable = evaluate(snap, Context(at, (enterprise.pk,)))
    assert unavailable == []
    got = {e["code"]: e["points"] for e in losses.get(enterprise.pk, [])}
    return [got.get(f"T{n:02d}", 0) for n in range(len(indicators))]


def record_exceedances(until, hours: int, outlet_ids=None) -> int:
    """What alerts records as exceedances over the ``hours`` before ``until``: its judgement of each limit on
    its own averaging period after each hour (and day) ends, recorded by its own service."""
    from alerts.limit_windows import judge
    from alerts.services.exceedances import record_exceedances as record

    ends = [until - dt.timedelta(hours=h) + dt.timedelta(minutes=1) for h in range(hours - 1, -1, -1)]
    return sum(record(judge(at, outlet_ids), at, {}) for at in ends)


def report(perm, kind, start, due, submitted=None, complete=True):
    """An execution report of ``perm`` for the period starting ``start``."""
    return ExecutionReport.objects.create(permit=perm, kind=kind, period_start=start, period_end=start, due_on=due,
                                          submitted_on=submitted, is_complete=complete)


def on_time_report(perm):
    """A quarterly report submitted on time in the window: the enterprise has data to be scored on."""
    return report(perm, "quarterly", dt.date(2026, 1, 1), dt.date(2026, 4, 15), dt.date(2026, 4, 10))


def missing_annual_report(perm):
    """An annual report due 151 days ago, never submitted: R17 (over 90 days, caps at yellow) charges it,
    R07 records it as already charged."""
    return report(perm, "annual", dt.date(2025, 1, 1), dt.date(2026, 1, 15))
