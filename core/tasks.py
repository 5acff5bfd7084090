"""Celery tasks of core (thin wrappers over services)."""
from celery import shared_task

from . import services


@shared_task(name="core.tasks.purge_expired_idempotency")
def purge_expired_idempotency() -> int:
    return services.idempotency_purge_expired()


@shared_task(name="core.tasks.purge_access_logs")
def purge_access_logs() -> int:
    return services.access_logs_purge()
