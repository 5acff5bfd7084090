"""Notifications over channels (in-app inbox, e-mail, webhook), shared by every app.

``notify`` (one) and ``notify_many`` (a batch, in a few statements) record a ``Notification`` and
one ``Delivery`` per channel. The in-app delivery is done on creation (the inbox reads the table).
E-mail and webhook deliveries are sent by a Celery task queued on commit, and any that fail are
retried with back-off by ``deliver_due``, which beat runs every minute; so a broker outage delays
delivery but loses nothing. A ``dedup_key`` makes a
notification exactly-once (e.g. the single "resolved" message of a warning).
"""
import json
import logging
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from core import clock

from ..models import Channel, Delivery, Notification
from ..selectors import inbox

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)


@dataclass
class Message:
    """One notification to create: to an enterprise (all its accounts) or to one user."""

    kind: str
    subject: str
    body: str = ""
    enterprise: object = None
    user: object = None
    url: str = ""
    source: str = ""
    dedup_key: str | None = None


def notify(*, kind: str, subject: str, body: str = "", enterprise=None, user=None, url: str = "",
           source: str = "", dedup_key: str | None = None) -> Notification | None:
    """Record a notification and queue its deliveries. Returns None if ``dedup_key`` was used before."""
    created = notify_many([Message(kind=kind, subject=subject, body=body, enterprise=enterprise, user=user, url=url,
                                   source=source, dedup_key=dedup_key)])
    return created[0] if created else None


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Record many notifications in a few statements (a warning cycle may send a thousand) and queue
    their deliveries once. Messages whose ``dedup_key`` was used before (or twice in the batch) are
    dropped. Returns the notifications created."""
    messages = list(messages)
    for message in messages:
        if message.enterprise is None and message.user is None:
            raise ValueError("a notification needs an enterprise or a user")
    keys = {m.dedup_key for m in messages if m.dedup_key}
    seen = set(Notification.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True)) if keys else set()
    fresh = []
    for message in messages:
        if message.dedup_key:
            if message.dedup_key in seen:
                continue
            seen.add(message.dedup_key)
        fresh.append(message)
    if not fresh:
        return []
    now = clock.now()
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create([_row(m, now) for m in fresh], batch_size=1000)
    except IntegrityError:  # a concurrent writer took a key between the check and the insert
        created = [note for m in fresh if (note := _create_one(m, now)) is not None]
    deliveries = []
    for note in created:
        deliveries.append(Delivery(notification=note, channel=Channel.IN_APP, status=Delivery.Status.SENT,
                                   attempts=1, sent_at=now))
        email = (note.enterprise.contact_email if note.enterprise is not None else "") or \
            (note.user.email if note.user is not None else "")
        if email:
            deliveries.append(Delivery(notification=note, channel=Channel.EMAIL, address=email, next_attempt_at=now))
        if settings.NOTIFY_WEBHOOK_URL:
            deliveries.append(Delivery(notification=note, channel=Channel.WEBHOOK,
                                       address=settings.NOTIFY_WEBHOOK_URL, next_attempt_at=now))
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    if len(deliveries) > len(created):
        if len(created) == 1:
            transaction.on_commit(lambda: _enqueue(created[0].pk))
        else:
            transaction.on_commit(_enqueue_sweep)
    return created


def _row(message: Message, now) -> Notification:
    return Notification(kind=message.kind, subject=message.subject[:200], body=message.body,
                        enterprise=message.enterprise, user=message.user, url=message.url, source=message.source,
                        dedup_key=message.dedup_key, created_at=now)


def _create_one(message: Message, now) -> Notification | None:
    try:
        with transaction.atomic():
            note = _row(message, now)
            note.save(force_insert=True)
            return note
    except IntegrityError:
        if message.dedup_key and Notification.objects.filter(dedup_key=message.dedup_key).exists():
            return None
        raise


def _enqueue(notification_id: int) -> None:
    from ..tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception as exc:  # broker down: beat's deliver_due sweep sends it later
        log.warning("could not queue delivery of notification %s: %s", notification_id, exc)


def _enqueue_sweep() -> None:
    from ..tasks import deliver_pending_notifications

    try:
        deliver_pending_notifications.delay()
    except Exception as exc:  # broker down: beat runs the sweep anyway
        log.warning("could not queue a delivery sweep: %s", exc)


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
    # A worker killed after the gateway took the message but before the "sent" mark committed sends it
    # again (late acknowledgement): the same key on both requests lets the gateway drop the second.
    request = urllib.request.Request(delivery.address, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Idempotency-Key": f"notification-delivery-{delivery.pk}"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the URL is configuration)
        if response.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


SENDERS = {Channel.EMAIL: _send_email, Channel.WEBHOOK: _send_webhook}


def deliver(delivery_id: int) -> str:
    """Send one due delivery, claiming it so two workers never send it twice. Returns its status."""
    now = clock.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
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


def notification_mark_read(*, user, ids) -> int:
    """Mark the notifications ``ids`` of ``user``'s inbox read (others are ignored); returns how many."""
    return inbox(user).filter(pk__in=ids, read_at__isnull=True).update(read_at=clock.now())
