"""The database-dialect seam: PostgreSQL in production and tests, SQLite embedded.

Code that needs PostgreSQL-only SQL asks ``is_postgres()``; code that must not run twice at once in
several processes takes ``advisory_lock(name)``, one key scheme for the whole platform (a stable
64-bit hash of the lock's name), held to the end of the current transaction.
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
