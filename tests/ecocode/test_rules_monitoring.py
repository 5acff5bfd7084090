"""Rule families over monitoring data: the exceedances alerts records on each limit's own averaging period, online completeness and
validity, silent devices, warnings and maintenance windows."""
import datetime as dt

import pytest

from alerts.models import Alert, Exceedance, Silence
from ecocode.rules import Context
from ecocode.services.scoring import evaluate
from enterprises.models import MonitoringDuty, Pollutant
from monitoring.models import Aggregate, Device
from tests import factories as f

from .conftest import NOW
from .helpers import ind, points, record_exceedances

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def plant(now):
    ent = f.enterprise()
    out = f.outlet(f.permit(ent), "DW001", "water", {"w01018": 100})
    return ent, out


def hour(out, code, start, avg, count=60, valid=60):
    return Aggregate.objects.create(outlet=out, pollutant=Pollutant.objects.get(code=code), period="hour",
                                    start=start, count=count, valid_count=valid, sum=avg * valid, avg=avg,
                                    min=avg, max=avg, updated_at=NOW)


def online_duty(out, code):
    return MonitoringDuty.objects.create(permit=out.permit, outlet=out, pollutant=Pollutant.objects.get(code=code),
                                         method="online", frequency="continuous")


def test_exceedances_against_the_permit_limit(plant):
    ent, out = plant
    online_duty(out, "w01018")
    for n, value in enumerate([120, 130, 101, 250, 90, 100]):
        hour(out, "w01018", NOW - (n + 1) * H, value)
    hour(out, "w01018", NOW - dt.timedelta(days=40), 300)          # outside the window
    record_exceedances(NOW, 7)
    record_exceedances(NOW - dt.timedelta(days=40) + H, 1)
    assert Exceedance.objects.count() == 5
    assert points(ent,
                  dict(ind("exceedances.recorded", 3, pollutants=["w01018"], per_unit=0.5), competes="exceedance"),
                  ind("exceedances.recorded", 5, medium="water", min_factor=2.0),
                  ind("exceedances.recorded", 5, medium="air"),
                  ind("exceedances.recorded", 3, pollutants=["w21003"])) == [0.5, 5, 0, 0]  # 4 hours, one day


def test_a_daily_limit_is_judged_on_its_daily_average(plant):
    """One high hour of an outlet whose limit is a daily average is no exceedance; a day whose average
    breaks the limit is one."""
    ent, out = plant
    online_duty(out, "w01018")
    out.limits.update(averaging_period="day")
    yesterday = NOW.replace(hour=0) - dt.timedelta(days=1)            # local midnight
    for n in range(24):                                               # one spike at 3×, the day's average 58
        hour(out, "w01018", yesterday + n * H, 300 if n == 12 else 48)
    Aggregate.objects.create(outlet=out, pollutant=out.limits.get().pollutant, period="day", start=yesterday,
                             count=1440, valid_count=1440, sum=58 * 1440, avg=58, min=48, max=300, updated_at=NOW)
    record_exceedances(NOW, 34)
    assert not Exceedance.objects.exists()
    assert points(ent, ind("exceedances.recorded", 3, pollutants=["w01018"], per_unit=1)) == [0]
    Aggregate.objects.filter(period="day").update(avg=130)           # a day over its limit
    record_exceedances(NOW, 34)
    assert Exceedance.objects.get().averaging_period == "day"
    assert points(ent, ind("exceedances.recorded", 3, pollutants=["w01018"], per_unit=1)) == [1]


def test_exceedance_episodes_are_outlet_pollutant_days(plant):
    ent, out = plant
    online_duty(out, "w01018")
    for start in (NOW - 30 * H, NOW - 29 * H, NOW - 2 * H):       # two local days
        hour(out, "w01018", start, 150)
    record_exceedances(NOW, 31)
    losses, _ = evaluate({"indicators": [dict(ind("exceedances.recorded", 3, pollutants=["w01018"], per_unit=1),
                                              code="S01", competes="exceedance", precedence=2)], "bands": []},
                         Context(NOW, (ent.pk,)))
    (entry,) = losses[ent.pk]
    assert entry["points"] == 2 and entry["evidence"]["n"] == 3
    assert [r["type"] for r in entry["records"]] == ["exceedance"] * 3
    assert {r["ep"] for r in entry["records"]} == {f"exceedance:{out.pk}:{out.limits.get().pollutant_id}:{d}"
                                                   for d in ("2026-06-14", "2026-06-15")}


def test_online_completeness_and_validity(plant):
    ent, out = plant
    online_duty(out, "w01018")
    for n in [*range(12), *range(18, 24)]:                          # 18 of the 24 hours of the last day
        hour(out, "w01018", NOW - (n + 1) * H, 50, count=60, valid=50 if n < 6 else 60)
    completeness = ind("online.completeness", 3, window_days=1, min_ratio=0.9)
    assert points(ent, completeness, ind("online.completeness", 3, window_days=1, min_ratio=0.75),
                  ind("online.validity", 2, window_days=1, min_ratio=0.95),
                  ind("online.validity", 2, window_days=1, min_ratio=0.9)) == [3, 0, 2, 0]  # 0.75; 1020/1080


def test_completeness_owes_nothing_before_the_first_packet_and_reads_the_devices_interval(plant):
    ent, out = plant
    online_duty(out, "w01018")
    for n in range(18):                     # connected 18 hours ago, one value every 10 minutes since
        hour(out, "w01018", NOW - (n + 1) * H, 50, count=6, valid=6)
    completeness = ind("online.completeness", 3, window_days=30, min_ratio=0.9)
    assert points(ent, completeness) == [0]
    Aggregate.objects.filter(start__gte=NOW - 6 * H).update(count=3, valid_count=3)  # half its readings, 6 hours
    assert points(ent, completeness) == [3]  # 90 of the 108 readings owed arrived: 0.83 < 0.9



def test_a_devices_interval_is_the_median_of_its_hours_as_percentile_disc_takes_it(plant):
    """The hours are read grouped by readings per hour; the median is the lower middle value of an even
    number of hours, as PostgreSQL's ``percentile_disc(0.5)`` over the hours themselves gives it."""
    from django.db import connection

    from ecocode.rules.monitoring_data import _hours, _median

    ent, out = plant
    duty = online_duty(out, "w01018")
    for n, count in enumerate([6, 3, 6, 3]):  # first packet 4 hours ago: 18 readings
        hour(out, "w01018", NOW - (n + 1) * H, 50, count=count, valid=count)
    hour(out, "w01018", NOW - 5 * H, 0, count=0, valid=0)  # an hour without data counts for neither
    groups = _hours(Context(NOW, (ent.pk,)), 1)[(out.pk, duty.pollutant_id)]
    assert groups == [(0, 1, 0, 0), (3, 2, 6, 0), (6, 2, 12, 0)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY count) FROM monitoring_aggregate "
                       "WHERE outlet_id = %s AND count > 0", [out.pk])
        assert _median([(3, 2), (6, 2)]) == cursor.fetchone()[0] == 3
    completeness = ind("online.completeness", 3, window_days=30, min_ratio=0.9)
    assert points(ent, completeness) == [0]  # owed 3 an hour from the first packet: 18 of 12 arrived
    Aggregate.objects.filter(outlet=out, start=NOW - 2 * H).update(count=6, valid_count=6)  # 6, 6, 6, 3
    assert points(ent, completeness) == [3]  # owed 6 an hour: 21 of 24 arrived, 0.875 < 0.9


def test_silent_devices(plant):
    ent, out = plant
    device = Device.objects.create(mn="MN-SILENT", outlet=out, last_seen_at=NOW - 30 * H)
    rule = ind("devices.silent", 2, medium="water", hours=24)
    assert points(ent, rule) == [2]
    device.last_seen_at = NOW - H
    device.save()
    assert points(ent, rule) == [0]


def alert(out, rule, opened, **fields):
    return Alert.objects.create(outlet=out, enterprise=out.enterprise, rule=rule, opened_at=opened,
                                last_seen_at=opened, **fields)


def test_warnings_answered_escalated_and_opened(plant):
    ent, out = plant
    alert(out, "exceedance", NOW - 2 * H, state="resolved", acknowledged_at=NOW - 2 * H + dt.timedelta(minutes=10),
          resolved_at=NOW - H)                                                           # answered in time
    alert(out, "near_limit", NOW - 3 * H, state="resolved", acknowledged_at=NOW - 3 * H + dt.timedelta(minutes=45),
          resolved_at=NOW - H)                                                           # answered late
    alert(out, "missing_data", NOW - 2 * H, state="notified", is_alarm=True, escalated_at=NOW - H)  # never
    alert(out, "flat_line", NOW - 5 * H, state="notified", muted="silence")              # muted: nothing to answer
    alert(out, "exceedance", NOW - 4 * H, state="resolved", resolved_at=NOW - 4 * H + dt.timedelta(minutes=20))
    alert(out, "exceedance", NOW - dt.timedelta(minutes=10), state="notified")           # still within 30 min
    assert points(ent,
                  ind("alerts.unanswered", 10, minutes=30, per_unit=1),
                  ind("alerts.unanswered", 10, rules=["exceedance"], minutes=30),
                  ind("alerts.escalated", 10, rules=["missing_data"], per_unit=2),
                  ind("alerts.opened", 10, rules=["exceedance"], medium="water", per_unit=1),
                  ind("alerts.opened", 10, rules=["exceedance"], medium="air")) == [2, 0, 2, 3, 0]


def test_maintenance_windows(plant):
    ent, out = plant
    officer = f.user("enterprise", enterprise=ent)
    for n in range(3):
        Silence.objects.create(outlet=out, enterprise=ent, starts_at=NOW - dt.timedelta(days=n * 5 + 1),
                               ends_at=NOW - dt.timedelta(days=n * 5), reason="检修", created_by=officer,
                               created_at=NOW - dt.timedelta(days=n * 5 + 2))
    assert points(ent, ind("silences.count", 1, window_days=30, min_count=3),
                  ind("silences.count", 1, window_days=10, min_count=3)) == [1, 0]


def test_completeness_counts_from_the_first_packet_of_a_device_connected_yesterday(plant):
    """30 days are due of an old device, one day of a device connected yesterday."""
    ent, out = plant
    online_duty(out, "w01018")
    Device.objects.create(mn="MN-NEW", outlet=out, first_seen_at=NOW - 24 * H, last_seen_at=NOW)
    for n in range(24):
        hour(out, "w01018", NOW - (n + 1) * H, 50)
    assert points(ent, ind("online.completeness", 3, window_days=30, min_ratio=0.9)) == [0]
    Device.objects.filter(mn="MN-NEW").update(first_seen_at=NOW - dt.timedelta(days=60))
    assert points(ent, ind("online.completeness", 3, window_days=30, min_ratio=0.9)) == [3]
