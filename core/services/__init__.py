"""Writes of core."""
from .accesslogs import access_logs_purge
from .idempotency import idempotency_purge_expired

__all__ = ["access_logs_purge", "idempotency_purge_expired"]
