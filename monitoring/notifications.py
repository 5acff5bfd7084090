"""Notifications over channels (in-app inbox, e-mail, webhook), shared by every app.

``notify`` records one ``Notification`` and one ``Delivery`` per channel. The in-app delivery is
done on creation (the inbox reads the table). E-mail and webhook deliveries are sent by a Celery
task queued on commit, and any that fail are retried with back-off by ``deliver_due``, which beat
runs every minute; so a broker outage delays delivery but loses nothing. A ``dedup_key`` makes a
notification exactly-once (e.g. the single "resolved" message of a warning).
"""
import json
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from enforcement import clock

from .models import Channel, Delivery, Notification

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)


def notify(*, kind: str, subject: str, body: str = "", enterprise=None, user=None, url: str = "",
           source: str = "", dedup_key: str | None = None) -> Notification | None:
    """Record a notification and queue its deliveries. Returns None if ``dedup_key`` was used before."""
    if enterprise is None and user is None:
        raise ValueError("a notification needs an enterprise or a user")
    now = clock.now()
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                kind=kind, subject=subject[:200], body=body, enterprise=enterprise, user=user, url=url,
                source=source, dedup_key=dedup_key, created_at=now,
            )
    except IntegrityError:
        if dedup_key and Notification.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    deliveries = [Delivery(notification=note, channel=Channel.IN_APP, status=Delivery.Status.SENT,
                           attempts=1, sent_at=now)]
    email = (enterprise.contact_email if enterprise is not None else "") or (user.email if user is not None else "")
    if email:
        deliveries.append(Delivery(notification=note, channel=Channel.EMAIL, address=email, next_attempt_at=now))
    if settings.NOTIFY_WEBHOOK_URL:
        deliveries.append(Delivery(notification=note, channel=Channel.WEBHOOK, address=settings.NOTIFY_WEBHOOK_URL,
                                   next_attempt_at=now))
    Delivery.objects.bulk_create(deliveries)
    if len(deliveries) > 1:
        transaction.on_commit(lambda: _enqueue(note.pk))
    return note


def _enqueue(notification_id: int) -> None:
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception as exc:  # broker down: beat's deliver_due sweep sends it later
        log.warning("could not queue delivery of notification %s: %s", notification_id, exc)


def _payload(note: Notification) -> dict:
    enterprise = note.enterprise
    return {
        "kind": note.kind, "subject": note.subject, "body": note.body, "url": note.url, "source": note.source,
        "created_at": note.created_at.isoformat(),
        "enterprise": None if enterprise is None else {
            "credit_code": enterprise.credit_code, "name": enterprise.name, "phone": enterprise.contact_phone},
        "user": None if note.user is None else {"username": note.user.username, "phone": note.user.phone},
    }


def _send_email(delivery: Delivery) -> None:
    note = delivery.notification
    link = f"\n\n{settings.PUBLIC_BASE_URL}{note.url}" if note.url else ""
    send_mail(note.subject, note.body + link, settings.DEFAULT_FROM_EMAIL, [delivery.address], fail_silently=False)


def _send_webhook(delivery: Delivery) -> None:
    data = json.dumps(_payload(delivery.notification), ensure_ascii=False).encode()
    request = urllib.request.Request(delivery.address, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the URL is configuration)
        if response.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


SENDERS = {Channel.EMAIL: _send_email, Channel.WEBHOOK: _send_webhook}


def deliver(delivery_id: int) -> str:
    """Send one due delivery, claiming it so two workers never send it twice. Returns its status."""
    now = clock.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True).select_related(
            "notification__enterprise", "notification__user")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING).first())
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return "skipped"
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](delivery)
        except Exception as exc:
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
                log.error("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, exc)
            else:
                delivery.next_attempt_at = now + RETRY_BASE * 2 ** (delivery.attempts - 1)
                log.warning("delivery %s (%s) failed, retry at %s: %s", delivery.pk, delivery.channel,
                            delivery.next_attempt_at, exc)
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])
        return delivery.status


def deliver_notification(notification_id: int) -> list[str]:
    """Send every due delivery of one notification."""
    ids = Delivery.objects.filter(notification_id=notification_id, status=Delivery.Status.PENDING) \
        .values_list("pk", flat=True)
    return [deliver(pk) for pk in list(ids)]


def deliver_due(limit: int = 1000) -> int:
    """Send (or retry) every pending delivery whose time has come. Returns how many were sent."""
    now = clock.now()
    ids = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if deliver(pk) == Delivery.Status.SENT)


def inbox(user):
    """Notifications addressed to ``user`` or to the enterprise the user stands for, newest first."""
    q = Q(user=user)
    if getattr(user, "enterprise_id", None):
        q |= Q(enterprise_id=user.enterprise_id)
    return Notification.objects.filter(q)


def mark_read(user, notification_ids) -> int:
    return inbox(user).filter(pk__in=notification_ids, read_at__isnull=True).update(read_at=clock.now())
