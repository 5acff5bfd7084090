"""The county summary's completeness comes from the daily roll-up of valid hours, and stays exact: the
figures equal the hourly count of the enterprise report, a day counted once is not counted again unless
a reading of it arrives later, the nightly task counts every day, and SQLite gives the same as PostgreSQL."""
import datetime as dt
import json
import subprocess
import sys

import pytest

from core import clock
from outreach.models import ValidHoursDay
from outreach.reports import data
from outreach.services.rollups import valid_hours_refresh
from outreach.tasks import roll_up_valid_hours
from tests.outreach import rollup_scenario as scenario
from tests.test_embedded import ROOT, embedded_env, manage

EXPECTED = {
    "first": {"completeness": {"汇总测试化工有限公司": (10 + 6 + 20) / 96, "汇总无数据企业": 0.0},
              "total": [36, 144],
              "rollup": [["w01001", "2025-02-28T16:00:00+00:00", 12], ["w01018", "2025-02-28T16:00:00+00:00", 10],
                         ["w01018", "2025-03-01T16:00:00+00:00", 20], ["w21003", "2025-02-28T16:00:00+00:00", 6]]},
}


def _late(first: dict) -> dict:
    rollup = [row[:2] + [11] if row[:2] == ["w01018", "2025-02-28T16:00:00+00:00"] else row
              for row in first["rollup"]]
    return {"completeness": {"汇总测试化工有限公司": 37 / 96, "汇总无数据企业": 0.0}, "total": [37, 144],
            "rollup": rollup}


def check(result: dict) -> None:
    first = EXPECTED["first"]
    assert result["first"]["rollup"] == first["rollup"]
    assert result["first"]["total"] == first["total"]
    assert result["first"]["completeness"] == pytest.approx(first["completeness"])
    assert result["again"] == result["first"]
    late = _late(first)
    assert result["late"]["rollup"] == late["rollup"] and result["late"]["total"] == late["total"]
    assert result["late"]["completeness"] == pytest.approx(late["completeness"])


@pytest.mark.django_db
def test_the_summary_reads_an_exact_roll_up():
    check(scenario.run())


@pytest.mark.django_db
def test_many_changed_days_counted_in_one_grouped_scan_give_the_same_roll_up(monkeypatch):
    """The first build of a year counts its hours in one grouped scan (from ``GROUPED_FROM_DAYS`` changed
    days on): the same figures as one index range per day."""
    from outreach.services import rollups

    monkeypatch.setattr(rollups, "GROUPED_FROM_DAYS", 1)
    check(scenario.run())


@pytest.mark.django_db
def test_the_roll_up_equals_the_report_s_hourly_count(plant):
    from enterprises.models import Enterprise

    with clock.frozen(scenario.AFTER):
        report = data.enterprise_report(plant, scenario.DAY, scenario.DAY)
        summary = data.county_summary(Enterprise.objects.filter(pk=plant.pk), scenario.DAY, scenario.DAY)
    limited = [r for r in report.monitoring if r.limit is not None]
    assert summary.totals["valid_hours"] == sum(r.valid_hours for r in limited) == 16


@pytest.mark.django_db
def test_a_day_is_counted_once_until_it_changes(plant):
    assert roll_up_valid_hours.apply().get() == 2  # the nightly task: COD and NH3-N of the day
    assert valid_hours_refresh() == 0
    assert sorted(ValidHoursDay.objects.values_list("valid_hours", flat=True)) == [6, 10]
    since = dt.datetime(2025, 3, 2, tzinfo=scenario.support.TZ)
    assert valid_hours_refresh(since=since) == 0


@pytest.mark.slow
def test_sqlite_gives_the_same(tmp_path):
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    script = ("import json; from tests.outreach.rollup_scenario import run; "
              "print('ROLLUP' + json.dumps(run(), ensure_ascii=False))")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    check(json.loads(out.split("ROLLUP", 1)[1]))
