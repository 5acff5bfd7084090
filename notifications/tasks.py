"""Celery tasks of notifications (thin wrappers over the services). A delivery that failed and waits
for a retry is queued again for its retry time, on the queue the task came from."""
from celery import shared_task

from . import services
from .services import expiry


def _send(task, ids) -> None:
    """Send the deliveries ``ids``; those that failed and wait for a retry are queued again for its time."""
    for pk in ids:
        services.deliver(pk)
    queue = (task.request.delivery_info or {}).get("routing_key")
    for pk, at in services.pending_retries(ids):
        deliver_delivery.apply_async((pk,), eta=at, queue=queue)


@shared_task(bind=True, name="notifications.tasks.deliver_notification", ignore_result=True)
def deliver_notification(self, notification_id: int) -> None:
    _send(self, services.pending_of(notification_id))


@shared_task(bind=True, name="notifications.tasks.deliver_deliveries", ignore_result=True)
def deliver_deliveries(self, delivery_ids: list[int]) -> None:
    """A chunk of a batch's deliveries (``NOTIFY_DELIVERY_CHUNK``)."""
    _send(self, delivery_ids)


@shared_task(bind=True, name="notifications.tasks.deliver_delivery", ignore_result=True)
def deliver_delivery(self, delivery_id: int) -> None:
    _send(self, [delivery_id])


@shared_task(name="notifications.tasks.deliver_pending_notifications", ignore_result=True)
def deliver_pending_notifications() -> int:
    return services.deliver_due()


@shared_task(name="notifications.tasks.expire_notifications", ignore_result=True)
def expire_notifications() -> dict:
    """Beat, daily: notifications and delivery records past ``RETENTION_DAYS`` (``services.expiry``)."""
    return expiry.notifications_expire()
