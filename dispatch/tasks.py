"""Celery tasks of dispatch (thin wrappers over the services)."""
from celery import shared_task

from .services import deadlines_check


@shared_task(name="dispatch.tasks.check_deadlines", ignore_result=False)
def check_deadlines() -> dict[str, int]:
    return deadlines_check()
