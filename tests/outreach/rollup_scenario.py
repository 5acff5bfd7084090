"""One scenario of the daily roll-up of valid hours, run on both dialects (tests/outreach/test_rollup.py):
HJ 212 hourly packets over two local days into ingestion, the county summary, a late packet for the first
day, the summary again. Returns what the summary and the roll-up hold at each step."""
import datetime as dt

from core import clock
from enterprises.models import Enterprise
from monitoring.services import ingest
from outreach.models import ValidHoursDay
from outreach.reports import data
from tests import factories
from tests.monitoring import ingest_support as support

DAY = dt.date(2025, 3, 1)
T0 = dt.datetime(2025, 3, 1, 0, 0, tzinfo=support.TZ)
AFTER = dt.datetime(2025, 3, 3, 6, 0, tzinfo=support.TZ)


def _send(mn: str, at: dt.datetime, items: dict) -> None:
    with clock.frozen(at + dt.timedelta(minutes=6)):
        results = ingest.ingest_frames(support.frames(support.data_frame(mn, at, items, cn="2061")), source="test")
    assert all(r.accepted for r in results), results


def _state(enterprises) -> dict:
    with clock.frozen(AFTER):
        summary = data.county_summary(enterprises, DAY, DAY + dt.timedelta(days=1))
    rollup = sorted([r.pollutant.code, r.start.isoformat(), r.valid_hours]
                    for r in ValidHoursDay.objects.select_related("pollutant"))
    return {"completeness": {r["name"]: r["completeness"] for r in summary.rows},
            "total": [summary.totals["valid_hours"], summary.totals["expected_hours"]], "rollup": rollup}


def run() -> dict:
    ingest.forget_pollutants()
    town = factories.township("汇总镇")
    plant = factories.enterprise(town, name="汇总测试化工有限公司")
    outlet = factories.outlet(factories.permit(plant), limits={"w01018": 100, "w21003": 15})
    dev = support.device(outlet, mn="33048300000000000000ROL1")
    # Day 1: COD 10 valid hours and 2 flagged (not valid), NH3-N 6. Day 2: COD 20 hours. A pH reading
    # (no limit) is rolled up but not counted in the summary.
    for hour in range(12):
        items = {"w01018": {"Avg": 50, "Flag": "N" if hour < 10 else "D"}, "w01001": {"Avg": 7.2}}
        if hour < 6:
            items["w21003"] = {"Avg": 5}
        _send(dev.mn, T0 + dt.timedelta(hours=hour), items)
    for hour in range(20):
        _send(dev.mn, T0 + dt.timedelta(days=1, hours=hour), {"w01018": {"Avg": 60}})
    quiet = factories.enterprise(town, name="汇总无数据企业")
    factories.outlet(factories.permit(quiet), limits={"w01018": 100})
    both = Enterprise.objects.filter(pk__in=[plant.pk, quiet.pk])
    first = _state(both)
    again = _state(both)  # nothing changed: nothing counted again
    _send(dev.mn, T0 + dt.timedelta(hours=15), {"w01018": {"Avg": 55}})  # late, for a day already counted
    late = _state(both)
    return {"first": first, "again": again, "late": late}
