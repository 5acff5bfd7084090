"""A year of daily partitions (slow): 373 partitions of the reading table, a year of hourly data through
ingestion (readings and their half-hour, hourly and daily aggregates), then the warning cycle, a scoring run,
the dashboard's data and a device's history API at once, each thread on its own connection. PostgreSQL runs at
its defaults (64 locks a transaction): a query on readings with no time bound locks every partition and
four of them at once exhaust the lock table. All must succeed with no "out of shared memory", and EXPLAIN of
the history query and of the cycle's reading queries must show only the bounded days' partitions, and of the
cycle's aggregate queries only the spans (months of half hours, years of hours and days) they bound."""
import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from alerts.services import evaluate
from core import clock
from ecocode.services import scoring
from enterprises.models import Enterprise
from monitoring.models import Aggregate, Device, Reading
from monitoring.services import aggregate_partitions, ingest, partitions
from tests import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 1, 10, 7, tzinfo=TZ)
DAYS = 365
SITES = 4
PART = re.compile(r"monitoring_reading_(p\d{8}|default)")
AGGREGATE_PART = re.compile(r" on monitoring_aggregate_((?:half_hour|hour|day)_(?:[my]\d+|default))\b")  # scanned tables


@pytest.fixture
def year_of_partitions(transactional_db):
    """The partitions of a year before NOW and a week after, made a month at a time (as beat would, ahead),
    and the aggregate table's of those spans; dropped again afterwards (those this test made)."""
    ingest.forget_pollutants()
    partitions.forget_known_days()
    first = NOW.date() - dt.timedelta(days=DAYS)
    days = [first + dt.timedelta(days=n) for n in range(DAYS + 8)]
    made = []
    spans_before = aggregate_partitions.existing()
    for month in range(0, len(days), 31):
        made += partitions.ensure_partitions(days[month:month + 31])
        aggregate_partitions.ensure((period, day) for period in aggregate_partitions.PERIODS
                                    for day in days[month:month + 31])
    yield days
    with connection.cursor() as cur:
        for day in made:
            cur.execute(f'DROP TABLE "{partitions.partition_name(day)}"')
        for period, first in aggregate_partitions.existing() - spans_before:
            cur.execute(f'DROP TABLE "{aggregate_partitions.partition_name(period, first)}"')
    partitions.forget_known_days()


def county() -> tuple[list[Device], object]:
    """SITES enterprises, each with a COD-limited water outlet and its data logger; a bureau account."""
    devices = []
    for n in range(SITES):
        out = f.outlet(f.permit(f.enterprise()), limits={"w01018": 100, "w21003": 15})
        devices.append(Device.objects.create(mn=f"3304830000YEAR{n:010d}", outlet=out, password="123456",
                                             reporting_interval_minutes=60,
                                             first_seen_at=NOW - dt.timedelta(days=DAYS)))
    return devices, f.bureau_user()


def a_year_of_hours(devices) -> int:
    """Hourly COD and NH3-N of every device for the year, through bulk ingestion a week at a time."""
    stored = 0
    start = NOW.replace(minute=0) - dt.timedelta(days=DAYS)
    hours = int((NOW - start).total_seconds() // 3600)
    for week in range(0, hours, 24 * 7):
        rows = [{"mn": dev.mn, "pollutant": code, "kind": "hour", "flag": "N",
                 "observed_at": (start + dt.timedelta(hours=h)).isoformat(), "avg": base + (h % 24)}
                for h in range(week, min(week + 24 * 7, hours)) for dev in devices
                for code, base in (("w01018", 40), ("w21003", 3))]
        result = ingest.ingest_rows(rows, may_post=lambda device: True, source="year-test", now=NOW)
        assert not result.errors, result.errors[:3]
        stored += result.stored
    return stored


def history_url(outlet_id: int, since: dt.datetime, until: dt.datetime) -> str:
    """The device history as a client writes it: local time, ``since`` without an offset and ``until`` with
    its "+08:00" left unencoded in the query string (the "+" arrives as a space)."""
    return (f"/api/v1/readings/?outlet={outlet_id}&kind=hour&page_size=1000"
            f"&since={since.replace(tzinfo=None).isoformat()}&until={until.isoformat()}")


def scanned(sql: str) -> set[str]:
    """The reading partitions the plan of ``sql`` scans."""
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}")
        return set(PART.findall("\n".join(row[0] for row in cur.fetchall())))


def reading_queries(captured, table: str = "monitoring_reading") -> list[str]:
    return [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def aggregate_spans(sql: str) -> set[str]:
    """The aggregate partitions the plan of ``sql`` scans."""
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}")
        return set(AGGREGATE_PART.findall("\n".join(row[0] for row in cur.fetchall())))


def test_a_year_of_partitions_under_concurrent_cycle_scoring_dashboard_and_history(year_of_partitions):
    assert len(partitions.existing_days()) >= DAYS + 8
    with clock.frozen(NOW):
        devices, bureau = county()
        assert a_year_of_hours(devices) == DAYS * 24 * SITES * 2
        assert Aggregate.objects.filter(period="day", start__lt=NOW - dt.timedelta(days=300)).exists()
        for dev in devices:  # the latest minutes, so the cycle has a window of fresh data to judge
            Device.objects.filter(pk=dev.pk).update(last_seen_at=NOW - dt.timedelta(minutes=3))
        since = NOW.replace(minute=0) - dt.timedelta(days=3)  # 72 hourly readings of each code
        outlet_ids = [d.outlet_id for d in devices]
        errors: list[str] = []
        start = threading.Barrier(6)

        def job(name, work, rounds=3):
            def run():
                try:
                    start.wait(timeout=60)
                    for _ in range(rounds):
                        work()
                except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
                    errors.append(f"{name}: {type(exc).__name__}: {exc}")
                finally:
                    connection.close()
            return threading.Thread(target=run, name=name)

        def cycle():
            assert not evaluate().skipped

        def dashboard():
            client = Client()
            client.force_login(bureau)
            for url in (reverse("dashboard:map-data"), reverse("dashboard:enterprise-panel",
                                                              args=[Enterprise.objects.order_by("pk")[0].pk])):
                assert client.get(url).status_code == 200, url
            series = client.get(reverse("dashboard:outlet-series", args=[outlet_ids[0]]),
                                {"pollutant": "w01018", "period": "hour"})
            assert series.status_code == 200 and series.json()["points"]

        def history():
            api = APIClient()
            api.force_authenticate(bureau)
            for outlet_id in outlet_ids:
                response = api.get(history_url(outlet_id, since, NOW))
                assert response.status_code == 200, response.content[:300]
                body = response.json()
                assert body["count"] == 3 * 24 * 2, body["count"]
                assert {r["observed_at"][:10] for r in body["results"]} <= {
                    (since + dt.timedelta(days=n)).astimezone(TZ).date().isoformat() for n in range(4)}

        threads = [job("cycle", cycle), job("scoring", scoring.score_all, rounds=2), job("dashboard-1", dashboard),
                   job("dashboard-2", dashboard), job("history-1", history), job("history-2", history)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=150)
        assert not [t.name for t in threads if t.is_alive()]
        assert errors == [], errors
        assert not any("shared memory" in e or "max_locks_per_transaction" in e for e in errors)

        # EXPLAIN: the history query scans its three days and today; the cycle's reading queries today's.
        api = APIClient()
        api.force_authenticate(bureau)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(history_url(outlet_ids[0], since, NOW)).status_code == 200
        history_sql = reading_queries(captured)
        assert history_sql
        bounded = {f"p{since.date() + dt.timedelta(days=n):%Y%m%d}" for n in range(4)}
        for sql in history_sql:
            assert {"p" + f"{since:%Y%m%d}"} <= scanned(sql) <= bounded | {"default"}, scanned(sql)
        with CaptureQueriesContext(connection) as captured:
            evaluate()
        cycle_sql = reading_queries(captured)
        assert cycle_sql
        for sql in cycle_sql:
            assert {f"p{NOW:%Y%m%d}"} <= scanned(sql) <= {f"p{NOW:%Y%m%d}", "default"}, scanned(sql)
        window_sql = [sql for sql in reading_queries(captured, "monitoring_aggregate") if sql.startswith("SELECT")]
        assert window_sql
        recent = {f"half_hour_m{NOW:%Y%m}", f"half_hour_m{NOW - dt.timedelta(days=31):%Y%m}", f"hour_y{NOW:%Y}",
                  f"day_y{NOW:%Y}", f"day_y{NOW.year - 1}"}
        for sql in window_sql:
            assert aggregate_spans(sql) and aggregate_spans(sql) <= recent, (aggregate_spans(sql), sql[:300])

        # A bounded query locks only its days' partitions; the same query unbounded locks all of them.
        def partition_locks(observed_at) -> int:
            with transaction.atomic():
                list(Reading.objects.filter(outlet_id=outlet_ids[0], kind="hour", **observed_at)
                     .values_list("value", flat=True)[:10])
                with connection.cursor() as cur:
                    cur.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                "WHERE l.pid = pg_backend_pid() AND c.relname LIKE 'monitoring\\_reading\\_%'")
                    return cur.fetchone()[0]

        assert partition_locks({"observed_at__gte": since, "observed_at__lt": NOW}) <= 5 * 4  # ≤ 5, with indexes
        assert partition_locks({}) > DAYS
