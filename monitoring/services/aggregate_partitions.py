"""Partitions of the aggregate table on PostgreSQL (a no-op on SQLite).

``monitoring_aggregate`` is partitioned by LIST on ``period`` (``monitoring_aggregate_half_hour``,
``_hour``, ``_day``), and each of those by RANGE on ``start``: the half-hour windows by local month
(``monitoring_aggregate_half_hour_m202612``), the hourly and daily ones by local year
(``monitoring_aggregate_day_y2026``). Months for the half hours because they are the bulk (48 a day for
every outlet and pollutant) and kept the shortest; years for the others, so that a query on windows with
no time bound (a guard looking up an outlet's windows) locks tens of tables, not hundreds.

Each period has a DEFAULT partition that catches the windows of spans without a partition (old
back-fills), so an upsert never fails. Partitions are made ahead, for a bounded range (this span and the
next), by beat and when the HJ 212 server starts, never by ingestion; making one moves the rows of its
span out of the default partition. Retention drops a period's partitions whole once their span is past
its policy (``expire``).
"""
import datetime as dt
import re

from django.db import connection, transaction
from django.utils.timezone import get_default_timezone

from core import clock
from core.db import advisory_lock, is_postgres

from .partitions import create_range_partition

PARENT = "monitoring_aggregate"
PERIODS = ("half_hour", "hour", "day")
SPAN = {"half_hour": "month", "hour": "year", "day": "year"}
FILLFACTOR = 50  # updates of a window stay on its page (HOT), see migration 0011
_NAME = re.compile(r"^monitoring_aggregate_(half_hour|hour|day)_[my](\d{4})(\d{2})?$")


def period_table(period: str) -> str:
    return f"{PARENT}_{period}"


def default_table(period: str) -> str:
    return f"{PARENT}_{period}_default"


def span_of(period: str, day: dt.date) -> dt.date:
    """The first day of the span (month or year) of ``period`` that holds ``day``."""
    return day.replace(day=1) if SPAN[period] == "month" else day.replace(month=1, day=1)


def _next(period: str, first: dt.date) -> dt.date:
    if SPAN[period] == "year":
        return first.replace(year=first.year + 1)
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(period: str, first: dt.date) -> str:
    suffix = f"m{first:%Y%m}" if SPAN[period] == "month" else f"y{first:%Y}"
    return f"{PARENT}_{period}_{suffix}"


def _bounds(period: str, first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = get_default_timezone()
    return (dt.datetime.combine(first, dt.time(), tzinfo=tz),
            dt.datetime.combine(_next(period, first), dt.time(), tzinfo=tz))


def existing() -> set[tuple[str, dt.date]]:
    """The (period, first day of span) that have a partition, read from the catalogue."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s)",
                    [[period_table(p) for p in PERIODS]])
        names = [row[0] for row in cur.fetchall()]
    out = set()
    for match in filter(None, map(_NAME.match, names)):
        period, year, month = match.groups()
        out.add((period, dt.date(int(year), int(month or 1), 1)))
    return out


def create_structure(cur) -> None:
    """The per-period tables under the parent, each with its default partition (used by the migration)."""
    for period in PERIODS:
        cur.execute(f"CREATE TABLE {period_table(period)} PARTITION OF {PARENT} FOR VALUES IN (%s) "
                    f"PARTITION BY RANGE (start)", [period])
        cur.execute(f"CREATE TABLE {default_table(period)} PARTITION OF {period_table(period)} DEFAULT "
                    f"WITH (fillfactor = {FILLFACTOR})")


def _create(cur, period: str, first: dt.date) -> None:
    start, end = _bounds(period, first)
    create_range_partition(cur, parent=period_table(period), default=default_table(period),
                           name=partition_name(period, first), column="start", start=start, end=end,
                           storage=f"fillfactor = {FILLFACTOR}")


def ensure(spans) -> list[tuple[str, dt.date]]:
    """Create the missing partitions among ``spans`` ((period, any day of the span)); returns those made."""
    if not is_postgres():
        return []
    wanted = {(period, span_of(period, day)) for period, day in spans}
    created = []
    with transaction.atomic(), connection.cursor() as cur:
        advisory_lock("monitoring.partitions")  # one process changes partitions at a time
        for period, first in sorted(wanted - existing()):
            _create(cur, period, first)
            created.append((period, first))
    return created


def create_ahead(now: dt.datetime | None = None) -> list[tuple[str, dt.date]]:
    """Each period's partition of the span holding yesterday, today and the next 31 days (beat, daily)."""
    today = (now or clock.now()).astimezone(get_default_timezone()).date()
    days = [today - dt.timedelta(days=1), today, today + dt.timedelta(days=31)]
    return ensure((period, day) for period in PERIODS for day in days)


def expire(period: str, cutoff: dt.datetime) -> int:
    """Remove the windows of ``period`` that start before ``cutoff``: the partitions wholly before it are
    dropped (their rows counted first), the rest deleted by a statement bounded in time. Returns the rows."""
    local_cutoff = cutoff.astimezone(get_default_timezone())
    removed = 0
    with transaction.atomic(), connection.cursor() as cur:
        advisory_lock("monitoring.partitions")
        for p, first in sorted(existing()):
            if p == period and _bounds(p, first)[1] <= local_cutoff:
                cur.execute(f'SELECT count(*) FROM "{partition_name(p, first)}"')
                removed += cur.fetchone()[0]
                cur.execute(f'DROP TABLE "{partition_name(p, first)}"')
        cur.execute(f"DELETE FROM {PARENT} WHERE period = %s AND start < %s", [period, cutoff])
        removed += cur.rowcount
    return removed
