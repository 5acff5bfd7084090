"""Notifications over channels (in-app inbox, e-mail, integration webhook, WeChat Work and DingTalk
group robots, SMS), shared by every app.

``notify`` (one) and ``notify_many`` (a batch, in a few statements) record a ``Notification`` and
one ``Delivery`` per chosen channel and address of its recipient (``recipients``). The in-app delivery
is done on creation (the inbox reads the table). The outbound ones are sent by Celery tasks queued on
commit, a batch's in chunks of ``NOTIFY_DELIVERY_CHUNK`` so that every worker of the queue takes its
share of a storm (each delivery is claimed, so none is sent twice); one that fails is retried with
back-off (``NOTIFY_RETRY_BASE_SECONDS``, doubled each time) by a Celery task queued for that time, and by ``deliver_due``, which beat runs every minute; so a
broker outage delays delivery but loses nothing. A failure the channel calls permanent (a robot's
unknown key) and the ``NOTIFY_MAX_ATTEMPTS``-th failure end it as failed, with the reason kept.

Repeats (``NOTIFY_DIGEST_KINDS``: the 5-minute reminders of an unacknowledged warning or shipment,
the remedy items past their deadline) to one recipient in one batch (one warning cycle) become one
``Digest``: each stays in the inbox, but the outbound channels carry one message listing them. First
warnings and alarms stay one message each, unless one recipient gets more than
``NOTIFY_DIGEST_ABOVE`` messages of a batch (a storm: an officer told of fifty alarms in one cycle),
whose outbound channels then carry them all as one digest, at once as well.
A ``dedup_key`` makes a notification exactly-once (e.g. the single "resolved" message of a warning).
"""
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from core import clock

from ..errors import DeliveryFailed
from ..models import Channel, Delivery, Digest, Notification
from ..selectors import inbox
from .channels import SENDERS
from .recipients import targets

log = logging.getLogger(__name__)


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
    their deliveries once; repeats to one recipient are grouped into one digest. Messages whose
    ``dedup_key`` was used before (or twice in the batch) are dropped. Returns the notifications created."""
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
    where = targets({_recipient(m) for m in fresh})
    digest_of = _digests(fresh, where, now)
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create([_row(m, now, digest_of.get(id(m))) for m in fresh],
                                                       batch_size=1000)
    except IntegrityError:  # a concurrent writer took a key between the check and the insert
        created = [note for m in fresh if (note := _create_one(m, now, digest_of.get(id(m)))) is not None]
    outbound = _queue_deliveries(created, where, now)
    if outbound:
        if len(created) == 1:
            transaction.on_commit(lambda: _enqueue(created[0].pk))
        else:
            transaction.on_commit(lambda: _enqueue_chunks(outbound))
    return created


def _recipient(message: Message) -> tuple[int | None, int | None]:
    return (getattr(message.enterprise, "pk", None), getattr(message.user, "pk", None))


def _digests(messages: list[Message], where: dict, now: datetime) -> dict[int, Digest]:
    """The digest of each message (by ``id``) grouped with others of its recipient, who has somewhere
    to go outbound: all of them past ``NOTIFY_DIGEST_ABOVE``, else the repeats if there are two or more."""
    by_recipient = defaultdict(list)
    for message in messages:
        by_recipient[_recipient(message)].append(message)
    grouped = {}
    for key, group in by_recipient.items():
        if not where[key]:
            continue
        if len(group) > settings.NOTIFY_DIGEST_ABOVE:
            grouped[key] = group
        elif len(repeats := [m for m in group if m.kind in settings.NOTIFY_DIGEST_KINDS]) > 1:
            grouped[key] = repeats
    digests = Digest.objects.bulk_create([Digest(enterprise_id=e, user_id=u, created_at=now) for e, u in grouped])
    return {id(message): digest for digest, group in zip(digests, grouped.values(), strict=True) for message in group}


def _queue_deliveries(created: list[Notification], where: dict, now: datetime) -> list[int | None]:
    """The deliveries of a batch: in-app ones done, outbound ones per notification or per digest.
    Returns the ids of the outbound deliveries queued (None where the database returns no ids)."""
    deliveries = [Delivery(notification=note, channel=Channel.IN_APP, status=Delivery.Status.SENT, attempts=1,
                           sent_at=now) for note in created]
    outbound = [Delivery(notification=note, channel=channel, address=address, user_id=account, next_attempt_at=now)
                for note in created if note.digest is None
                for channel, address, account in where[(note.enterprise_id, note.user_id)]]
    digests = {note.digest_id: note.digest for note in created if note.digest is not None}
    outbound += [Delivery(digest=digest, channel=channel, address=address, user_id=account, next_attempt_at=now)
                 for digest in digests.values()
                 for channel, address, account in where[(digest.enterprise_id, digest.user_id)]]
    Delivery.objects.bulk_create(deliveries + outbound, batch_size=2000)
    return [delivery.pk for delivery in outbound]


def _row(message: Message, now, digest: Digest | None) -> Notification:
    return Notification(kind=message.kind, subject=message.subject[:200], body=message.body,
                        enterprise=message.enterprise, user=message.user, url=message.url, source=message.source,
                        dedup_key=message.dedup_key, created_at=now, digest=digest)


def _create_one(message: Message, now, digest: Digest | None) -> Notification | None:
    try:
        with transaction.atomic():
            note = _row(message, now, digest)
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


def _enqueue_chunks(delivery_ids: list[int | None]) -> None:
    """One task per chunk of a batch's deliveries, so the queue's workers share them; a sweep if the ids
    are unknown."""
    from ..tasks import deliver_deliveries

    if None in delivery_ids:
        _enqueue_sweep()
        return
    size = settings.NOTIFY_DELIVERY_CHUNK
    try:
        for start in range(0, len(delivery_ids), size):
            deliver_deliveries.delay(delivery_ids[start:start + size])
    except Exception as exc:  # broker down: beat's deliver_due sweep sends them later
        log.warning("could not queue the delivery of %s deliveries: %s", len(delivery_ids), exc)


def _enqueue_sweep() -> None:
    from ..tasks import deliver_pending_notifications

    try:
        deliver_pending_notifications.delay()
    except Exception as exc:  # broker down: beat runs the sweep anyway
        log.warning("could not queue a delivery sweep: %s", exc)


def deliver(delivery_id: int) -> str:
    """Send one due delivery, claiming it so two workers never send it twice. Returns its status."""
    now = clock.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
            "notification__enterprise", "notification__user", "digest")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING).first())
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return "skipped"
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](delivery)
        except Exception as exc:
            delivery.last_error = str(exc) if isinstance(exc, DeliveryFailed) else f"{type(exc).__name__}: {exc}"
            delivery.last_error = delivery.last_error[:2000]
            if getattr(exc, "permanent", False) or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
                log.error("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, exc)
            else:
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
                log.warning("delivery %s (%s) failed, retry at %s: %s", delivery.pk, delivery.channel,
                            delivery.next_attempt_at, exc)
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])
        return delivery.status


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: the base, doubled after each further one."""
    return timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS) * 2 ** (attempts - 1)


def pending_retries(ids: Iterable[int]) -> list[tuple[int, datetime]]:
    """Of the deliveries ``ids``, those waiting for a retry, with its time."""
    return list(Delivery.objects.filter(pk__in=list(ids), status=Delivery.Status.PENDING,
                                        next_attempt_at__isnull=False).values_list("pk", "next_attempt_at"))


def pending_of(notification_id: int) -> list[int]:
    """The outbound deliveries of one notification still to send."""
    return list(Delivery.objects.filter(notification_id=notification_id, status=Delivery.Status.PENDING)
                .values_list("pk", flat=True))


def deliver_notification(notification_id: int) -> list[str]:
    """Send every due delivery of one notification."""
    return [deliver(pk) for pk in pending_of(notification_id)]


def deliver_due(limit: int = 1000) -> int:
    """Send (or retry) every pending delivery whose time has come. Returns how many were sent."""
    now = clock.now()
    ids = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if deliver(pk) == Delivery.Status.SENT)


def notification_mark_read(*, user, ids) -> int:
    """Mark the notifications ``ids`` of ``user``'s inbox read (others are ignored); returns how many."""
    return inbox(user).filter(pk__in=ids, read_at__isnull=True).update(read_at=clock.now())
