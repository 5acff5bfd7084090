"""The database-dialect seam: PostgreSQL in production and tests, SQLite embedded.

Code that needs PostgreSQL-only SQL asks ``is_postgres()``; code that must not run twice at once in
several processes takes ``advisory_lock(name)``, one key scheme for the whole platform (a stable
64-bit hash of the lock's name), held to the end of the current transaction.
"""
import hashlib

from django.db import connection


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
