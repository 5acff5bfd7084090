"""The database-dialect seam: PostgreSQL in production and tests, SQLite embedded.

Code that needs PostgreSQL-only SQL asks ``is_postgres()``; code that must not run twice at once in
several processes takes ``advisory_lock(name)``, one key scheme for the whole platform (a stable
64-bit hash of the lock's name), held to the end of the current transaction. A bulk load
refreshes the planner's statistics with ``statistics_refresh()``.
"""
import hashlib
import json

from django.db import connection
from django.db.models import Aggregate, JSONField, Value


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def lock_key(name: str) -> int:
    """A signed 64-bit key for ``name`` (what pg_advisory_xact_lock takes), the same in every process."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def advisory_lock(name: str, *, wait: bool = True) -> bool:
    """Take the transaction-level advisory lock ``name``; with ``wait=False`` return False instead of
    waiting when another transaction holds it. Must run inside a transaction. On SQLite, where the
    database has one writer at a time anyway, it is always granted."""
    if not is_postgres():
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key(name)])
        return bool(cursor.fetchone()[0])


def statistics_refresh(*models) -> None:
    """ANALYZE, now, the tables of ``models``, or without them the tables changed enough since their last
    statistics (autovacuum's threshold, without its delay; a session's own last second of writes may not be
    counted yet). A bulk load (the demo seed) writes faster than autovacuum samples: a planner that still
    believes a table empty joins 10,000 users to 10,000 enterprises by nested loop (7 s instead of 10 ms),
    and a foreign-key check planned on an empty table keeps its sequential scan for every later row of the
    session (ANALYZE invalidates that plan). A no-op on SQLite."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        if models:
            tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
        else:
            cursor.execute("SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables"
                           " WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup")
            tables = [name for (name,) in cursor.fetchall()]
        if tables:
            cursor.execute("ANALYZE " + ", ".join(tables))


class JsonArrayAgg(Aggregate):
    """The distinct JSON values of a group as a list: ``JSONB_AGG(DISTINCT …)`` on PostgreSQL,
    ``JSON_GROUP_ARRAY(DISTINCT …)`` on SQLite (the embedded mode); an empty list for no rows."""

    function = "JSONB_AGG"
    template = "%(function)s(DISTINCT %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, filter=None, **extra):
        super().__init__(expression, filter=filter, default=Value([], output_field=JSONField()),
                         output_field=JSONField(), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        clone = self.copy()
        clone.function, clone.template = "JSON_GROUP_ARRAY", "%(function)s(DISTINCT JSON(%(expressions)s))"
        return super(JsonArrayAgg, clone).as_sql(compiler, connection, **extra)

    def convert_value(self, value, expression, connection):
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_db_converters(self, connection):
        return [self.convert_value, *super().get_db_converters(connection)]
