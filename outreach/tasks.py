"""Celery tasks of outreach: thin wrappers over the services."""
from celery import shared_task

from .services.reminders import run_reminders


@shared_task(ignore_result=False)
def outreach_reminders() -> dict[str, int]:
    return run_reminders()
