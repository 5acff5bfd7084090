"""Invalid periods of a device (``monitoring.services.validity``) as another app states them: the readings of the
period stop counting as valid in every window, already stored ones counted again in whole local days (reading
only those days' partitions), the instrument's own state codes stay valid, and stating the same periods again
counts nothing; a batch for many devices does what one call per device does."""
import datetime as dt

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core import clock
from monitoring.models import Aggregate
from monitoring.services import partitions, validity
from monitoring.models import InvalidPeriod
from monitoring.services.validity import Period, changed_spans, invalid_periods_set, invalid_periods_set_many
from tests import factories
from tests.monitoring.ingest_support import TZ, device

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2025, 3, 1, tzinfo=TZ)
H = dt.timedelta(hours=1)
NOW = DAY + 20 * H
SOURCE = "tests.record"


def upload(dev, rows):
    api = APIClient()
    api.force_authenticate(factories.bureau_user())
    with clock.frozen(NOW):
        response = api.post("/api/v1/readings/bulk/", rows, format="json")
    assert response.status_code == 200, response.json()


def valid_counts(dev, code, period="hour"):
    return {a.start: a.valid_count for a in Aggregate.objects.filter(outlet=dev.outlet, pollutant__code=code,
                                                                     period=period)}


def test_changed_spans_are_the_difference_of_the_coverages():
    t = [DAY + n * H for n in range(10)]
    assert changed_spans([], [(t[2], t[5])]) == [(t[2], t[5])]
    assert changed_spans([(t[2], t[9])], [(t[2], t[5])]) == [(t[5], t[9])]  # an open period closed at 5
    assert changed_spans([(t[2], t[5]), (t[6], t[8])], [(t[2], t[5]), (t[4], t[7])]) == [(t[5], t[6]), (t[7], t[8])]
    assert changed_spans([(t[1], t[3])], [(t[1], t[3])]) == []


def test_a_period_voids_stored_readings_but_not_the_instruments_own_states():
    dev = device()
    upload(dev, [{"mn": dev.mn, "pollutant": code, "kind": "hour", "avg": value, "flag": "N",
                  "observed_at": (DAY + h * H).isoformat()}
                 for h in range(6, 12) for code, value in (("w01018", 50 + h), ("i12001", 0))])
    assert set(valid_counts(dev, "w01018").values()) == {1}
    with clock.frozen(NOW):
        counted = invalid_periods_set(device=dev, source=SOURCE,
                                      periods=[Period(1, "fault", DAY + 8 * H, DAY + 10 * H)])
    assert counted == [(DAY, DAY + 24 * H)]  # whole local days
    assert [valid_counts(dev, "w01018")[DAY + h * H] for h in range(6, 12)] == [1, 1, 0, 0, 1, 1]
    assert set(valid_counts(dev, "i12001").values()) == {1}  # the analyser's state is no measurement
    day = Aggregate.objects.get(outlet=dev.outlet, pollutant__code="w01018", period="day")
    assert (day.count, day.valid_count, day.avg) == (6, 4, (56 + 57 + 60 + 61) / 4)
    with clock.frozen(NOW):
        assert invalid_periods_set(device=dev, source=SOURCE,
                                   periods=[Period(1, "fault", DAY + 8 * H, DAY + 10 * H)]) == []
        invalid_periods_set(device=dev, source=SOURCE, periods=[])
    assert set(valid_counts(dev, "w01018").values()) == {1}


def test_a_batch_sets_each_devices_periods_and_recounts_only_those_that_changed():
    first, second, third = device(), device(), device()
    for dev in (first, second, third):
        upload(dev, [{"mn": dev.mn, "pollutant": "w01018", "kind": "hour", "avg": 50 + h, "flag": "N",
                      "observed_at": (DAY + h * H).isoformat()} for h in range(6, 12)])
    with clock.frozen(NOW):
        invalid_periods_set(device=second, source=SOURCE, periods=[Period(2, "fault", DAY + 6 * H, DAY + 7 * H)])
        invalid_periods_set(device=third, source=SOURCE, periods=[Period(3, "calibration", DAY + 9 * H, None)])
        counted = invalid_periods_set_many(source=SOURCE, periods={
            first: [Period(1, "fault", DAY + 8 * H, DAY + 10 * H)],  # a new period
            second: [Period(2, "fault", DAY + 6 * H, DAY + 7 * H)],  # unchanged: nothing counted again
            third: [Period(3, "calibration", DAY + 9 * H, DAY + 11 * H)],  # the open one closed
        })
    assert counted == {first.pk: [(DAY, DAY + 24 * H)], second.pk: [], third.pk: [(DAY, DAY + 24 * H)]}
    assert [valid_counts(first, "w01018")[DAY + h * H] for h in range(6, 12)] == [1, 1, 0, 0, 1, 1]
    assert [valid_counts(second, "w01018")[DAY + h * H] for h in range(6, 12)] == [0, 1, 1, 1, 1, 1]
    assert [valid_counts(third, "w01018")[DAY + h * H] for h in range(6, 12)] == [1, 1, 1, 0, 0, 1]
    assert sorted(InvalidPeriod.objects.filter(source=SOURCE).values_list("device_id", "source_id", "ends_at")) == [
        (first.pk, 1, DAY + 10 * H), (second.pk, 2, DAY + 7 * H), (third.pk, 3, DAY + 11 * H)]
    with clock.frozen(NOW):
        assert invalid_periods_set_many(source=SOURCE, periods={first: [], third: []}) == {
            first.pk: [(DAY, DAY + 24 * H)], third.pk: [(DAY, DAY + 24 * H)]}
    assert set(valid_counts(first, "w01018").values()) == set(valid_counts(third, "w01018").values()) == {1}
    assert list(InvalidPeriod.objects.filter(source=SOURCE).values_list("device_id", flat=True)) == [second.pk]


def test_the_recount_reads_only_the_partitions_of_its_days():
    dev = device()
    days = [(DAY + n * 24 * H).date() for n in range(-1, 2)]
    sql = validity.recount_sql("outlet", 2)
    try:
        partitions.ensure_partitions(days)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN " + sql, {"owner": dev.outlet_id, "since_0": DAY, "until_0": DAY + 6 * H,
                                           "since_1": DAY + 12 * H, "until_1": DAY + 24 * H, "now": NOW,
                                           "direction_id": 0})
            plan = "\n".join(row[0] for row in cur.fetchall())
    finally:
        partitions.forget_known_days()  # the test's rollback drops the partitions again
    assert partitions.partition_name(days[1]) in plan
    assert partitions.partition_name(days[0]) not in plan and partitions.partition_name(days[2]) not in plan
