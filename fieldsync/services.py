"""Writes of fieldsync: housekeeping of what field clients left behind."""
from enforcement import clock

from .models import IdempotencyRecord


def purge_expired(now=None) -> int:
    """Delete expired idempotency records; returns how many."""
    return IdempotencyRecord.objects.filter(expires_at__lte=now or clock.now()).delete()[0]
