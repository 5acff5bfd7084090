"""Celery tasks of alerts (thin wrappers over the services)."""
from celery import shared_task

from .services import evaluate


@shared_task(name="alerts.tasks.evaluate_alerts", ignore_result=False)
def evaluate_alerts() -> dict:
    """Beat, every 5 minutes: evaluate the warning rules for the whole county."""
    return vars(evaluate())
