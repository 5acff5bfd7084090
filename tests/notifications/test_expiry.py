"""Expiry of notifications (beat, daily): read ones past ``RETENTION_DAYS["notifications"]`` and unread ones
past ``notifications_unread`` go with their delivery records once nothing of theirs is pending; digests go
once their notifications have; everything else stays."""
import datetime as dt

import pytest
from django.core import mail

from config.celery import app
from core import clock
from enterprises.models import Role
from notifications import services as notifications
from notifications.models import Delivery, Digest, Notification
from notifications.services import Message
from notifications.tasks import expire_notifications
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
DAYS = {"notifications": 180, "notifications_unread": 400}


def sent(ent, account, subject: str, age: int, *, read: bool, deliver: bool = True) -> None:
    """A notification to ``ent`` sent ``age`` days ago, delivered by e-mail (unless not ``deliver``), read by
    ``account`` the same day if ``read``."""
    with clock.frozen(NOW - dt.timedelta(days=age)):
        note = notifications.notify(kind="test", subject=subject, enterprise=ent)
        if deliver:
            assert notifications.deliver_due() >= 1
        if read:
            assert notifications.notification_mark_read(user=account, ids=[note.pk]) == 1


def test_expiry_removes_exactly_the_finished_notifications_past_their_policy(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, **DAYS}
    settings.NOTIFY_DIGEST_KINDS = ("alert.repeat",)
    ent = f.enterprise()
    account = f.user(Role.ENTERPRISE, enterprise=ent)
    sent(ent, account, "old read", 200, read=True)
    sent(ent, account, "old unread", 200, read=False)
    sent(ent, account, "recent read", 100, read=True)
    sent(ent, account, "ancient unread", 450, read=False)
    with clock.frozen(NOW - dt.timedelta(days=190)):  # two repeats: one digest e-mail, both in the inbox
        repeats = notifications.notify_many([Message(kind="alert.repeat", subject=f"repeat {n}", enterprise=ent)
                                             for n in (1, 2)])
        assert {n.digest_id for n in repeats} == {Digest.objects.get().pk}
        assert notifications.deliver_due() >= 1
        notifications.notification_mark_read(user=account, ids=[n.pk for n in repeats])
    sent(ent, account, "old read, e-mail pending", 300, read=True, deliver=False)
    assert mail.outbox and not Delivery.objects.filter(status="pending").exclude(
        notification__subject="old read, e-mail pending").exists()
    kept = ["old read, e-mail pending", "old unread", "recent read"]
    doomed = Delivery.objects.exclude(notification__subject__in=kept)
    assert doomed.filter(digest__isnull=False).exists()
    expected, before = doomed.count(), Delivery.objects.count()
    with clock.frozen(NOW):
        removed = expire_notifications.apply().get()
    assert sorted(Notification.objects.values_list("subject", flat=True)) == kept
    assert removed == {"notifications": 4, "digests": 1, "deliveries": expected}
    assert Delivery.objects.count() == before - expected > 0
    assert not Delivery.objects.exclude(notification__subject__in=kept).exists()
    assert not Digest.objects.exists()
    assert Delivery.objects.filter(notification__subject="old read, e-mail pending", status="pending").exists()
    with clock.frozen(NOW):
        assert expire_notifications.apply().get() == {"notifications": 0, "digests": 0, "deliveries": 0}
    assert app.conf.beat_schedule["expire-notifications"]["task"] == expire_notifications.name
