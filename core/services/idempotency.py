"""Writes of core: housekeeping of what clients left behind."""
from .. import clock
from ..models import IdempotencyRecord


def idempotency_purge_expired(*, now=None) -> int:
    """Delete expired idempotency records; returns how many."""
    return IdempotencyRecord.objects.filter(expires_at__lte=now or clock.now()).delete()[0]
