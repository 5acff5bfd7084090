"""The aggregate backlog: readings stored whose half-hour, hourly and daily windows are counted a moment later.

A busy HJ 212 server stores its batches with ``defer_aggregates`` (``monitoring.hj212_server``): each
batch puts its new readings in ``monitoring_aggregate_backlog`` in the statement that stores them, so the
acknowledged write does not wait for some 24 window upserts a packet. ``backlog_fold`` takes the rows out
and counts them into their windows in one statement (the same SQL as ingestion's, ``ingest.windows_sql``):
every reading a window received since the last fold in one upsert. A row leaves the backlog in the
transaction that counts it, so each reading is counted once, whoever folds and whenever it dies.

Who folds: the server, every ``HJ212_AGGREGATE_FOLD_SECONDS`` and when it stops; the warning cycle and the
aggregates API before they read the windows; beat every minute, for a server that died before its fold.
One fold at a time (an advisory lock; the server skips when another is folding). A recount of windows
from the readings (``validity.aggregates_recount``) takes the same lock and drops the backlog rows it
counts itself.
Raw SQL because the fold is one data-modifying statement (DELETE .. RETURNING feeding the upserts).
PostgreSQL only: the embedded SQLite mode never defers.
"""
from __future__ import annotations

from django.db import connection, transaction

from core import clock
from core.db import advisory_lock, is_postgres
from monitoring.services import ingest

LOCK = "monitoring.aggregate_backlog"
FOLD_ROWS = 200_000  # the most rows one fold's statement takes (a bounded transaction); more are folded next
FOLD_WORK_MEM = "64MB"  # the sorts of FOLD_ROWS readings' 600,000 window buckets


def _fold_sql() -> str:
    # ctid = ANY(ARRAY(..)): the first FOLD_ROWS rows by their place on disk, read once (a TID scan)
    return (f"WITH ins AS (\n    DELETE FROM monitoring_aggregate_backlog WHERE ctid = ANY(ARRAY(\n"
            f"        SELECT ctid FROM monitoring_aggregate_backlog LIMIT %(limit)s))\n"
            f"    RETURNING {ingest.BACKLOG_COLUMNS}\n)"
            + ingest.windows_sql(("outlet", "station")) + "\nSELECT count(*) FROM ins")


def backlog_fold(*, wait: bool = True, limit: int = FOLD_ROWS) -> int | None:
    """Count the backlog's readings into their windows and take them out; returns how many were counted.
    With ``wait=False`` returns None at once when another transaction is folding (or recounting)."""
    if not is_postgres():
        return 0
    sql, folded = _fold_sql(), 0
    while True:
        with transaction.atomic():
            if not advisory_lock(LOCK, wait=wait):
                return folded or None
            with connection.cursor() as cur:
                cur.execute(f"SET LOCAL work_mem = '{FOLD_WORK_MEM}'")  # its sorts in memory, not on disk
                cur.execute(sql, {"limit": limit, "now": clock.now(),
                                  "direction_id": ingest.codebook().ids.get(ingest.WIND_DIRECTION, 0)})
                count = cur.fetchone()[0]
        folded += count
        if count < limit:
            return folded


def backlog_caught_up() -> None:
    """Fold the backlog if anything waits in it (a read of what was stored before: the aggregates API)."""
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM monitoring_aggregate_backlog)")
            waiting = cur.fetchone()[0]
        if waiting:
            backlog_fold()


def backlog_size() -> int:
    """The readings waiting in the backlog (0 on SQLite)."""
    if not is_postgres():
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_aggregate_backlog")
        return cur.fetchone()[0]
