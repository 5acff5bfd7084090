"""Expiry of notifications (beat, daily), by ``settings.RETENTION_DAYS``.

A notification whose deliveries are all done (sent, or failed for good; its digest's too) goes with its
delivery records once it is older than ``notifications`` days and read, or older than
``notifications_unread`` days if nobody read it; one still pending waits for its delivery. A digest goes
with its deliveries once none of its notifications is left and it is older than ``notifications`` days.
A deleted notification frees its ``dedup_key``: the retention is far longer than anything that is sent
once (a warning's "resolved" message comes within days of the warning).

The rows are chosen by the ORM and deleted in SQL by id, a statement per table, because
``QuerySet.delete()`` would load every doomed row into Python to cascade to its deliveries itself.
"""
import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet

from core import clock

from ..models import Delivery, Digest, Notification

PENDING = Delivery.Status.PENDING


def _delete(model: type[Model], field: str, chosen: QuerySet) -> int:
    """``DELETE FROM model WHERE field IN (ids of chosen)``; returns how many rows."""
    sql, params = chosen.order_by().values("pk").query.sql_with_params()
    column = model._meta.get_field(field).column
    with connection.cursor() as cur:
        cur.execute(f'DELETE FROM {model._meta.db_table} WHERE "{column}" IN ({sql})', params)
        return cur.rowcount


def _expired_notifications(now: dt.datetime) -> QuerySet:
    read_cut = now - dt.timedelta(days=settings.RETENTION_DAYS["notifications"])
    unread_cut = now - dt.timedelta(days=settings.RETENTION_DAYS["notifications_unread"])
    old = Notification.objects.filter(Q(read_at__isnull=False, created_at__lt=read_cut) | Q(created_at__lt=unread_cut))
    return old.exclude(deliveries__status=PENDING).exclude(digest__deliveries__status=PENDING)


def _expired_digests(now: dt.datetime) -> QuerySet:
    cut = now - dt.timedelta(days=settings.RETENTION_DAYS["notifications"])
    return Digest.objects.filter(created_at__lt=cut, notifications__isnull=True).exclude(deliveries__status=PENDING)


def notifications_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the notifications, digests and delivery records past their retention; returns how many of each."""
    now = now or clock.now()
    with transaction.atomic():
        deliveries = _delete(Delivery, "notification", _expired_notifications(now))
        notifications = _delete(Notification, "id", _expired_notifications(now))
        deliveries += _delete(Delivery, "digest", _expired_digests(now))
        digests = _delete(Digest, "id", _expired_digests(now))
    return {"notifications": notifications, "digests": digests, "deliveries": deliveries}
