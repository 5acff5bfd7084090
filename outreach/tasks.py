"""Celery tasks of outreach: thin wrappers over the services."""
from celery import shared_task

from .services.reminders import run_reminders
from .services.rollups import valid_hours_refresh


@shared_task(ignore_result=False)
def outreach_reminders() -> dict[str, int]:
    return run_reminders()


@shared_task(ignore_result=False)
def roll_up_valid_hours() -> int:
    return valid_hours_refresh()
