"""Celery tasks of fieldsync (thin wrappers over services)."""
from celery import shared_task

from . import services


@shared_task(name="fieldsync.tasks.purge_expired")
def purge_expired() -> int:
    return services.purge_expired()
