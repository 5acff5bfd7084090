"""Daily partitions of the reading table on PostgreSQL (a no-op on SQLite).

``monitoring_reading`` is partitioned by RANGE on ``observed_at`` with one partition per local day
(``monitoring_reading_pYYYYMMDD``) and a DEFAULT partition that catches anything else, so an insert never
fails. ``ensure_partitions`` creates the partitions of a range of days, moving rows that already landed
in the default partition into the new one. Partitions are made ahead, for a bounded range, by beat
(``create_ahead``, daily) and when the HJ 212 server starts, never by ingestion: readings of other
days (old back-fills, a device with a wrong clock) go to the default partition, so no packet can make
the database create tables.
"""
import datetime as dt
import re
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils.timezone import get_default_timezone

from core import clock
from core.db import advisory_lock, is_postgres

PARENT = "monitoring_reading"
DEFAULT = "monitoring_reading_default"
_NAME = re.compile(r"^monitoring_reading_p(\d{8})$")

_known_days: set[dt.date] | None = None


def partition_name(day: dt.date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def existing_days() -> set[dt.date]:
    """The days that have a partition, read from the catalogue."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s", [PARENT])
        names = [row[0] for row in cur.fetchall()]
    return {dt.datetime.strptime(m.group(1), "%Y%m%d").date() for m in map(_NAME.match, names) if m}


def create_range_partition(cur, *, parent: str, default: str, name: str, column: str, start, end,
                           storage: str = "") -> None:
    """Partition ``name`` of ``parent`` for ``column`` in [start, end) (``storage``: its WITH options). Rows
    of that range already in the ``default`` partition are moved into a new table first, then attached: a
    partition cannot be created over a range its default partition holds rows of."""
    options = f" WITH ({storage})" if storage else ""
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {column} >= %s AND {column} < %s)", [start, end])
    if not cur.fetchone()[0]:
        cur.execute(f'CREATE TABLE "{name}" PARTITION OF {parent} FOR VALUES FROM (%s) TO (%s){options}',
                    [start, end])
        return
    cur.execute(f'CREATE TABLE "{name}" (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){options}')
    cur.execute(f'WITH moved AS (DELETE FROM {default} WHERE {column} >= %s AND {column} < %s RETURNING *) '
                f'INSERT INTO "{name}" SELECT * FROM moved', [start, end])
    cur.execute(f'ALTER TABLE {parent} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)', [start, end])


def _create(cur, day: dt.date) -> None:
    start = dt.datetime.combine(day, dt.time(), tzinfo=get_default_timezone())
    create_range_partition(cur, parent=PARENT, default=DEFAULT, name=partition_name(day), column="observed_at",
                           start=start, end=start + dt.timedelta(days=1))


def ensure_partitions(days: Iterable[dt.date]) -> list[dt.date]:
    """Create the missing daily partitions among ``days``; returns the days created."""
    global _known_days
    if not is_postgres():
        return []
    wanted = set(days)
    if _known_days is not None and wanted <= _known_days:
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cur:
        advisory_lock("monitoring.partitions")  # one process changes partitions at a time
        have = existing_days()
        if wanted - have:
            # Pending deferred FK checks of this transaction would block the DDL: run them now.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for day in sorted(wanted - have):
            _create(cur, day)
            created.append(day)
        _known_days = have | wanted
    return created


def create_ahead(days_ahead: int = 7, now: dt.datetime | None = None) -> list[dt.date]:
    """Partitions from yesterday to ``days_ahead`` days from now (run daily by beat)."""
    today = (now or clock.now()).astimezone(get_default_timezone()).date()
    return ensure_partitions(today + dt.timedelta(days=n) for n in range(-1, days_ahead + 1))


def forget_known_days() -> None:
    """Drop the cached list of partitions (after a rollback that undid created partitions)."""
    global _known_days
    _known_days = None
