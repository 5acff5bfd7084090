"""Celery tasks of dispatch (thin wrappers over the services)."""
from celery import shared_task

from .services import campaigns_issue_due, deadlines_check


@shared_task(name="dispatch.tasks.check_deadlines", ignore_result=False)
def check_deadlines() -> dict[str, int]:
    return deadlines_check()


@shared_task(name="dispatch.tasks.issue_campaigns", ignore_result=False)
def issue_campaigns() -> int:
    return campaigns_issue_due()
