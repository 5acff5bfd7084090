"""Time-series retention: beat's daily task drops the raw readings past their retention by whole daily
partitions (and the strays of those days in the default partition) and the aggregates by period, the
finer ones first (a span's partition whole once all of it is past, the rest row by row); what is within
retention stays."""
import datetime as dt

from django.test import override_settings

from config.celery import app
from core import clock
from enterprises.models import Pollutant
from monitoring.models import Aggregate, DataKind, DeviceMessage, Reading
from monitoring.services import aggregate_partitions, partitions
from monitoring.tasks import expire_time_series
from tests.alerts.alert_support import TZ, site

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=TZ)
DAYS = {"readings": 10, "aggregates_half_hour": 20, "aggregates_hour": 40, "aggregates_day": 400,
        "device_messages": 30}


def test_expiry_drops_old_partitions_and_rolls_aggregates_up(db):
    out, device = site()
    cod = Pollutant.objects.get(code="w01018")
    old_days = [(NOW - dt.timedelta(days=n)).date() for n in (30, 12, 11)]
    kept_days = [(NOW - dt.timedelta(days=n)).date() for n in (10, 0)]
    partitions.ensure_partitions([*old_days, *kept_days])
    for n in (30, 12, 11, 10, 0, 100):  # the 100-day-old one lands in the default partition
        Reading.objects.create(device=device, outlet=out, pollutant=cod, kind=DataKind.MINUTE, value=1.0,
                               observed_at=NOW - dt.timedelta(days=n), received_at=NOW)
    aggregate_partitions.ensure((p, (NOW - dt.timedelta(days=n)).date()) for p in ("half_hour", "hour", "day")
                                for n in (15, 30, 60))
    for period in ("half_hour", "hour", "day"):
        for n in (15, 30, 60):
            Aggregate.objects.create(outlet=out, pollutant=cod, period=period, start=NOW - dt.timedelta(days=n),
                                     count=1, valid_count=1, sum=1, avg=1, min=1, max=1, updated_at=NOW)
    for n in (31, 29):
        DeviceMessage.objects.create(device=device, cn="2081", digest=f"d{n}", params={"RestartTime": "x"},
                                     received_at=NOW - dt.timedelta(days=n))
    with override_settings(RETENTION_DAYS=DAYS):
        with clock.frozen(NOW):
            result = expire_time_series.apply().get()
    assert sorted(result["reading_days"]) == sorted(d.isoformat() for d in old_days)
    have = partitions.existing_days()
    assert not set(old_days) & have and set(kept_days) <= have
    left = sorted((NOW - r).days for r in Reading.objects.filter(device=device).values_list("observed_at", flat=True))
    assert left == [0, 10]
    assert result["aggregates"] == {"half_hour": 2, "hour": 1, "day": 0}
    # The half hours of April (60 days back) went with their partition, May's 30-day-old one by a DELETE.
    spans = aggregate_partitions.existing()
    assert ("half_hour", dt.date(2026, 4, 1)) not in spans and ("half_hour", dt.date(2026, 5, 1)) in spans
    assert ("hour", dt.date(2026, 1, 1)) in spans
    assert sorted(Aggregate.objects.values_list("period", flat=True)) == ["day"] * 3 + ["half_hour"] + ["hour"] * 2
    assert result["device_messages"] == 1 and list(DeviceMessage.objects.values_list("digest", flat=True)) == ["d29"]
    schedule = app.conf.beat_schedule["expire-time-series"]
    assert schedule["task"] == expire_time_series.name
