"""The aggregate table's partitions on PostgreSQL: windows built by ingestion land in the partition of their
period and span (half hours by local month, hours and days by local year), an old back-fill in its period's
default partition; making the span's partition later moves those windows into it and the next upload still
updates the one window; a query bounded in time scans only its spans' partitions."""
import datetime as dt
import re

import pytest
from django.db import connection

from monitoring.models import Aggregate
from monitoring.services import aggregate_partitions as parts
from monitoring.services import ingest
from tests.alerts.alert_support import TZ, site

pytestmark = pytest.mark.django_db(transaction=True)
NOW = dt.datetime(2026, 6, 1, 10, 7, tzinfo=TZ)
OLD = NOW - dt.timedelta(days=400)  # 2025-04-27: a span with no partition


@pytest.fixture
def spans():
    """The partitions of NOW's spans, made as beat makes them; those this test made dropped afterwards."""
    before = parts.existing()
    parts.create_ahead(now=NOW)
    yield
    with connection.cursor() as cur:
        for period, first in parts.existing() - before:
            cur.execute(f'DROP TABLE "{parts.partition_name(period, first)}"')


def upload(device, at: dt.datetime, value: float):
    rows = [{"mn": device.mn, "pollutant": "w01018", "kind": "minute", "flag": "N", "observed_at": at.isoformat(),
             "avg": value}]
    result = ingest.ingest_rows(rows, may_post=lambda d: True, source="partition-test", now=NOW)
    assert not result.errors and result.stored == 1, result.errors


def homes(outlet) -> dict[tuple[str, str], str]:
    """(period, local start date) of each window of ``outlet`` → the partition that holds it."""
    with connection.cursor() as cur:
        cur.execute("SELECT period, start, tableoid::regclass::text FROM monitoring_aggregate WHERE outlet_id = %s",
                    [outlet.pk])
        return {(period, f"{start.astimezone(TZ):%Y-%m-%d}"): table for period, start, table in cur.fetchall()}


def test_windows_land_in_their_span_and_move_out_of_the_default_when_it_is_made(spans):
    ingest.forget_pollutants()
    out, device = site()
    upload(device, NOW.replace(minute=1), 40.0)
    upload(device, OLD, 60.0)
    assert homes(out) == {
        ("half_hour", "2026-06-01"): "monitoring_aggregate_half_hour_m202606",
        ("hour", "2026-06-01"): "monitoring_aggregate_hour_y2026",
        ("day", "2026-06-01"): "monitoring_aggregate_day_y2026",
        ("half_hour", "2025-04-27"): "monitoring_aggregate_half_hour_default",
        ("hour", "2025-04-27"): "monitoring_aggregate_hour_default",
        ("day", "2025-04-27"): "monitoring_aggregate_day_default",
    }

    made = parts.ensure([("half_hour", OLD.date()), ("day", OLD.date())])
    assert made == [("day", dt.date(2025, 1, 1)), ("half_hour", dt.date(2025, 4, 1))]
    assert homes(out)[("half_hour", "2025-04-27")] == "monitoring_aggregate_half_hour_m202504"
    assert homes(out)[("day", "2025-04-27")] == "monitoring_aggregate_day_y2025"
    assert homes(out)[("hour", "2025-04-27")] == "monitoring_aggregate_hour_default"

    upload(device, OLD + dt.timedelta(minutes=1), 80.0)  # the same half hour, hour and day
    old = Aggregate.objects.filter(outlet=out, start__lt=NOW - dt.timedelta(days=300))
    assert sorted(old.values_list("period", "count", "avg")) == [
        ("day", 2, 70.0), ("half_hour", 2, 70.0), ("hour", 2, 70.0)]
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'monitoring_aggregate_half_hour_m202504'")
        assert cur.fetchone()[0] == ["fillfactor=50"]


def test_a_query_bounded_in_time_scans_only_its_spans(spans):
    since = NOW - dt.timedelta(hours=6)
    query = Aggregate.objects.filter(period="half_hour", start__gte=since, start__lt=NOW).values("avg")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    scanned = set(re.findall(r" on (monitoring_aggregate_\w+)", plan))  # the tables scanned
    assert scanned == {"monitoring_aggregate_half_hour_m202606"}, plan
