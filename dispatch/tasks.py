"""Celery tasks of dispatch: thin wrappers over the services."""
from celery import shared_task

from . import deadlines


@shared_task(ignore_result=False)
def check_deadlines() -> dict[str, int]:
    return deadlines.check_deadlines()
