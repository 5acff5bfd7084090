"""Celery tasks of notifications (thin wrappers over the services)."""
from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.deliver_notification", ignore_result=True)
def deliver_notification(notification_id: int) -> None:
    services.deliver_notification(notification_id)


@shared_task(name="notifications.tasks.deliver_pending_notifications", ignore_result=True)
def deliver_pending_notifications() -> int:
    return services.deliver_due()
