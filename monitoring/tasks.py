"""Celery tasks of monitoring: thin wrappers over the services."""
from celery import shared_task

from . import notifications
from .services import alerts, partitions


@shared_task(ignore_result=True)
def deliver_notification(notification_id: int) -> None:
    notifications.deliver_notification(notification_id)


@shared_task(ignore_result=True)
def deliver_pending_notifications() -> int:
    return notifications.deliver_due()


@shared_task(ignore_result=False)
def evaluate_alerts() -> dict:
    """Beat, every 5 minutes: evaluate the warning rules for the whole county."""
    return vars(alerts.evaluate())


@shared_task(ignore_result=True)
def create_reading_partitions() -> None:
    """Beat, daily: the reading table's partitions from yesterday to a week ahead (PostgreSQL)."""
    partitions.create_ahead()
