"""The operators' records change what monitoring counts as valid (HJ 75 / HJ 356): HJ 212 packets through
ingestion at the time they would arrive, the records through enforcement's services, the warning cycle at its
own times. Data of a failed comparison test's period are no valid hours and no value a limit is judged on;
a fault recorded late counts the hours already stored again; a passed test closes the period."""
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from alerts.models import Alert, Exceedance, Rule
from alerts.services import evaluate
from core import clock
from enforcement import selectors, services
from enforcement.models.device_checks import DEVICE_CHECK_SOURCE
from enterprises.models import MonitoringDuty, Pollutant, Role
from monitoring import hj212
from monitoring.models import Aggregate, InvalidPeriod
from monitoring.services import ingest
from monitoring.services.validity import invalid_periods_set
from outreach.models import ValidHoursDay
from outreach.services.rollups import valid_hours_refresh
from tests import factories as f
from tests.alerts.alert_support import site
from tests.ecocode.helpers import ind, points
from tests.monitoring.ingest_support import TZ, frames

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 2, tzinfo=TZ)
MIN = dt.timedelta(minutes=1)
TEN = dt.timedelta(minutes=10)
HOUR = dt.timedelta(hours=1)
OPERATOR = "浙江某环境运维有限公司"


def send(device, data_time, value, *, cn="2051"):
    """One COD upload of ``device`` with DataTime ``data_time``, received when its interval is over."""
    arrive = data_time + (HOUR + 2 * MIN if cn == "2061" else TEN)
    raw = hj212.build_frame(hj212.data_segment(cn=cn, mn=device.mn, pw=device.password, flag=5,
                                               qn=f"{data_time:%Y%m%d%H%M%S}000",
                                               cp=hj212.data_cp(data_time, {"w01018": {"Avg": value, "Flag": "N"}})))
    with clock.frozen(arrive):
        [outcome] = ingest.ingest_frames(frames(raw), source="logger")
    assert outcome.accepted and outcome.stored == 1


def cycle(at):
    with clock.frozen(at):
        return evaluate(at)


def check(device, account, at, kind, *, passed=True, findings="", recorded=None):
    with clock.frozen(recorded or at + 5 * MIN):
        return services.device_check_record(user=account, device=device, kind=kind, operator=OPERATOR,
                                            performed_at=at, passed=passed, findings=findings)


def hours(out, first, last):
    """(count, valid count, average) of the COD hour windows from ``first`` to ``last`` o'clock."""
    rows = {a.start: (a.count, a.valid_count, a.avg) for a in Aggregate.objects.filter(
        outlet=out, period="hour", pollutant__code="w01018")}
    return [rows.get(DAY + h * HOUR) for h in range(first, last + 1)]


def day(out):
    return Aggregate.objects.filter(outlet=out, period="day", pollutant__code="w01018", start=DAY) \
        .values_list("count", "valid_count", "avg").get()


def valid_hours(out):
    valid_hours_refresh(since=DAY, until=DAY + 24 * HOUR)
    return ValidHoursDay.objects.get(outlet=out, start=DAY).valid_hours


@pytest.fixture
def plant():
    out, device = site(period="hour")  # COD ≤ 100 as an hourly average
    return out, device, f.user(Role.ENTERPRISE, enterprise=out.enterprise)


def test_a_failed_comparison_test_voids_its_hours_until_one_passes(plant):
    out, device, account = plant
    send(device, DAY + 8 * HOUR, 60.0, cn="2061")
    cycle(DAY + 9 * HOUR + 5 * MIN)
    failed = check(device, account, DAY + 9 * HOUR, "comparison", passed=False, findings="COD 比对相对误差 32%")
    for h in (9, 10):  # the analyser reads far too high: its data are invalid, no exceedance
        send(device, DAY + h * HOUR, 150.0, cn="2061")
        cycle(DAY + (h + 1) * HOUR + 5 * MIN)
    assert hours(out, 8, 10) == [(1, 1, 60.0), (1, 0, None), (1, 0, None)]
    assert not Alert.objects.filter(rule__in=[Rule.EXCEEDANCE, Rule.NEAR_LIMIT]).exists()
    assert not Exceedance.objects.exists()
    [period] = selectors.device_invalid_periods([device.pk], DAY, DAY + 11 * HOUR)[device.pk]
    assert (period["check"], period["start"], period["open"]) == (failed, DAY + 9 * HOUR, True)

    check(device, account, DAY + 11 * HOUR, "comparison")  # retested and passed: later data count again
    send(device, DAY + 11 * HOUR, 150.0, cn="2061")
    cycle(DAY + 12 * HOUR + 5 * MIN)
    assert hours(out, 9, 11) == [(1, 0, None), (1, 0, None), (1, 1, 150.0)]
    alert = Alert.objects.get(rule=Rule.EXCEEDANCE)
    assert (alert.value, alert.limit_value) == (150.0, 100.0)
    assert Exceedance.objects.get().start == DAY + 11 * HOUR
    assert day(out) == (4, 2, 105.0)
    assert InvalidPeriod.objects.values_list("starts_at", "ends_at", "reason", "source_id").get() == \
        (DAY + 9 * HOUR, DAY + 11 * HOUR, "comparison", failed.pk)


def test_a_fault_recorded_late_counts_the_stored_hours_again(plant):
    out, device, account = plant
    MonitoringDuty.objects.create(permit=out.permit, outlet=out, pollutant=Pollutant.objects.get(code="w01018"),
                                  method="online", frequency="continuous")
    validity = ind("online.validity", 3, window_days=1, min_ratio=0.5)  # valid of received readings
    for k in range(36):  # 10-minute data 08:00–13:50
        send(device, DAY + 8 * HOUR + k * TEN, 40.0 + k % 3)
    assert [h[:2] for h in hours(out, 8, 13)] == [(6, 6)] * 6
    assert day(out)[:2] == (36, 36) and valid_hours(out) == 6
    assert points(out.enterprise, validity, at=DAY + 14 * HOUR + 30 * MIN) == [0]

    now = DAY + 14 * HOUR + 30 * MIN  # the operator files the fault of 10:00 only now
    fault = check(device, account, DAY + 10 * HOUR, "fault", findings="采样泵故障", recorded=now)
    assert [h[:2] for h in hours(out, 8, 13)] == [(6, 6), (6, 6), (6, 0), (6, 0), (6, 0), (6, 0)]
    assert Aggregate.objects.get(outlet=out, period="half_hour", start=DAY + 10 * HOUR + 30 * MIN).valid_count == 0
    assert day(out)[:2] == (36, 12) and valid_hours(out) == 2
    assert points(out.enterprise, validity, at=now) == [3]

    now += 5 * MIN
    with clock.frozen(now):
        services.device_fault_resolve(check=fault, user=account, resolved_at=DAY + 12 * HOUR)
    assert [h[:2] for h in hours(out, 8, 13)] == [(6, 6), (6, 6), (6, 0), (6, 0), (6, 6), (6, 6)]
    assert hours(out, 12, 12) == [(6, 6, 41.0)]
    assert day(out) == (36, 24, 41.0) and valid_hours(out) == 4
    assert points(out.enterprise, validity, at=now) == [0]

    api = APIClient()  # the device's history marks the readings of the period
    api.force_authenticate(f.bureau_user())
    with clock.frozen(now):
        rows = api.get("/api/v1/readings/", {"outlet": out.pk, "kind": "minute", "since": DAY.isoformat()}).json()
    marked = {dt.datetime.fromisoformat(r["observed_at"]) for r in rows["results"] if r["in_invalid_period"]}
    assert marked == {DAY + 10 * HOUR + k * TEN for k in range(12)} and len(rows["results"]) == 36


def test_data_arriving_during_an_open_fault_are_invalid_and_the_file_shows_the_period(client, plant):
    out, device, account = plant
    check(device, account, DAY + 9 * HOUR + 30 * MIN, "fault", findings="数采仪断电")
    send(device, DAY + 10 * HOUR, 150.0, cn="2061")
    cycle(DAY + 11 * HOUR + 5 * MIN)
    assert hours(out, 10, 10) == [(1, 0, None)]
    assert not Alert.objects.filter(rule=Rule.EXCEEDANCE).exists()
    client.force_login(f.user(Role.ENFORCEMENT))
    with clock.frozen(DAY + 11 * HOUR + 10 * MIN):
        page = client.get(reverse("enforcement:enterprise-file", args=[out.enterprise.pk])).content.decode()
    assert "据运维记录判定数据无效的时段" in page
    assert f"{device.mn} · 2026-03-02 09:30 – 仍无效" in page  # local time, still open


def test_a_failed_test_filed_after_its_retest_voids_the_hours_between(plant):
    out, device, account = plant
    for h in range(8, 12):
        send(device, DAY + h * HOUR, 60.0 + h, cn="2061")
    check(device, account, DAY + 11 * HOUR, "comparison", recorded=DAY + 12 * HOUR + 10 * MIN)  # the retest first
    assert not InvalidPeriod.objects.exists()
    failed = check(device, account, DAY + 9 * HOUR, "comparison", passed=False, findings="氨氮比对不合格",
                   recorded=DAY + 12 * HOUR + 15 * MIN)
    assert hours(out, 8, 11) == [(1, 1, 68.0), (1, 0, None), (1, 0, None), (1, 1, 71.0)]
    assert InvalidPeriod.objects.values_list("starts_at", "ends_at", "source_id").get() == \
        (DAY + 9 * HOUR, DAY + 11 * HOUR, failed.pk)


def test_the_dashboard_draws_no_value_of_an_invalid_period(plant, client):
    """Where the chart and the panel fall back to the raw readings (no aggregate with valid data), the
    readings of an invalid period are left out: the day's only values lie in a failed test's period."""
    out, device, account = plant
    check(device, account, DAY + 7 * HOUR, "comparison", passed=False, findings="COD 比对相对误差 41%")
    for h in (9, 10):
        send(device, DAY + h * HOUR, 150.0, cn="2061")
    client.force_login(f.user(Role.BUREAU))
    series = reverse("dashboard:outlet-series", args=[out.pk])
    with clock.frozen(DAY + 11 * HOUR):
        answer = client.get(series, {"pollutant": "w01018", "period": "hour", "start": "2026-03-02",
                                     "end": "2026-03-02"}).json()
        panel = client.get(reverse("dashboard:enterprise-panel", args=[out.enterprise_id])).json()
    assert (answer["source"], answer["points"]) == ("readings", [])
    [limit] = [row for row in panel["limits"] if row["pollutant"] == "w01018"]
    assert (limit["value"], limit["at"], limit["exceeds"]) == (None, None, False)

    check(device, account, DAY + 11 * HOUR, "comparison")  # passed: the next hour is drawn again
    send(device, DAY + 11 * HOUR, 70.0, cn="2061")
    with clock.frozen(DAY + 12 * HOUR + 5 * MIN):
        answer = client.get(series, {"pollutant": "w01018", "period": "hour", "start": "2026-03-02",
                                     "end": "2026-03-02"}).json()
    assert answer["source"] == "aggregates" and [p[1] for p in answer["points"]] == [70.0]


def test_exceedances_judged_before_a_failed_test_was_filed_are_judged_again(plant):
    """Warnings and exceedances come first, the operator's failed comparison test of 09:30 is filed at 11:30:
    the 09:00 hour stands on its valid values only (within the limit: withdrawn), the 10:00 hour has none
    left (withdrawn); eco-code and reports count neither; without the record they count again."""
    out, device, account = plant
    for k, value in enumerate([40.0, 40.0, 40.0, 200.0, 200.0, 200.0] + [150.0] * 6):
        send(device, DAY + 9 * HOUR + k * TEN, value)
        if k in (5, 11):
            cycle(DAY + 9 * HOUR + (k + 1) * TEN + 5 * MIN)
    assert sorted(Exceedance.objects.values_list("start", "value")) == [(DAY + 9 * HOUR, 120.0),
                                                                        (DAY + 10 * HOUR, 150.0)]
    recorded = ind("exceedances.recorded", 5, pollutants=["w01018"])
    assert points(out.enterprise, recorded, at=DAY + 11 * HOUR + 10 * MIN) != [0]
    filed = DAY + 11 * HOUR + 30 * MIN
    check(device, account, DAY + 9 * HOUR + 30 * MIN, "comparison", passed=False, findings="COD 比对相对误差 45%",
          recorded=filed)
    assert sorted(Exceedance.objects.values_list("start", "withdrawn_at", "withdrawn_reason")) == [
        (DAY + 9 * HOUR, filed, "within_limit"), (DAY + 10 * HOUR, filed, "no_valid_data")]
    assert points(out.enterprise, recorded, at=filed) == [0]
    assert not Exceedance.objects.standing().exists()
    cycle(DAY + 12 * HOUR + 5 * MIN)  # a later cycle records nothing again
    assert Exceedance.objects.count() == 2 and not Exceedance.objects.standing().exists()
    with clock.frozen(filed + HOUR):  # the record goes (filed in error): its data count again
        invalid_periods_set(device=device, source=DEVICE_CHECK_SOURCE, periods=[])
    assert sorted(Exceedance.objects.standing().values_list("start", "value")) == [(DAY + 9 * HOUR, 120.0),
                                                                                 (DAY + 10 * HOUR, 150.0)]
