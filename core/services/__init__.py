"""Writes of core."""
from .idempotency import idempotency_purge_expired

__all__ = ["idempotency_purge_expired"]
