"""Notifications: channels, delivery records, retries with back-off, exactly-once keys, the inbox."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from core import clock
from enterprises.models import Role
from notifications import services as notifications
from notifications.models import Channel, Delivery, Notification
from notifications.selectors import inbox
from notifications.services import Message
from tests import factories as f

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


class Gateway:
    """A real HTTP server on 127.0.0.1 standing for an SMS gateway; fails the first ``failures`` calls."""

    def __init__(self, failures: int):
        self.failures, self.received = failures, []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if gateway.failures > 0:
                    gateway.failures -= 1
                    self.send_response(503)
                else:
                    gateway.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def gateway(settings):
    made = []

    def make(failures=0):
        g = Gateway(failures)
        settings.NOTIFY_WEBHOOK_URL = g.url
        made.append(g)
        return g

    yield make
    for g in made:
        g.close()


def test_enterprise_notification_goes_to_inbox_and_email():
    ent = f.enterprise()
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="超标预警", body="COD 超标", enterprise=ent, url="/x/")
    channels = dict(note.deliveries.values_list("channel", "status"))
    assert channels == {Channel.IN_APP: Delivery.Status.SENT, Channel.EMAIL: Delivery.Status.PENDING}
    with clock.frozen(T0):
        assert notifications.deliver_due() == 1
    assert [m.to for m in mail.outbox] == [[ent.contact_email]]
    assert "COD 超标" in mail.outbox[0].body and mail.outbox[0].body.rstrip().endswith("/x/")
    account = f.user(Role.ENTERPRISE, enterprise=ent)
    assert list(inbox(account)) == [note]
    other = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    assert not inbox(other).exists()
    assert notifications.notification_mark_read(user=other, ids=[note.pk]) == 0
    assert notifications.notification_mark_read(user=account, ids=[note.pk]) == 1


def test_dedup_key_makes_a_message_exactly_once():
    ent = f.enterprise()
    first = notifications.notify(kind="alert.resolved", subject="已恢复", enterprise=ent, dedup_key="alert:1:resolved")
    again = notifications.notify(kind="alert.resolved", subject="已恢复", enterprise=ent, dedup_key="alert:1:resolved")
    assert first is not None and again is None
    assert Notification.objects.filter(dedup_key="alert:1:resolved").count() == 1


def test_notify_many_batches_and_drops_repeated_keys():
    ents = [f.enterprise() for _ in range(3)]
    notifications.notify(kind="k", subject="old", enterprise=ents[0], dedup_key="k0")
    batch = [Message(kind="k", subject=f"s{i}", enterprise=e, dedup_key=f"k{i}") for i, e in enumerate(ents)]
    batch.append(Message(kind="k", subject="dup in batch", enterprise=ents[1], dedup_key="k1"))
    batch.append(Message(kind="k", subject="no key", enterprise=ents[2]))
    created = notifications.notify_many(batch)
    assert sorted(n.subject for n in created) == ["no key", "s1", "s2"]
    assert Delivery.objects.filter(notification__in=created, channel=Channel.IN_APP).count() == 3
    assert Delivery.objects.filter(notification__in=created, channel=Channel.EMAIL).count() == 3
    with pytest.raises(ValueError):
        notifications.notify_many([Message(kind="k", subject="nobody")])


def test_failed_webhook_is_retried_with_backoff_then_sent(gateway):
    g = gateway(failures=2)
    ent = f.enterprise(contact_email="")
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="test", subject="预警", enterprise=ent)
        hook = note.deliveries.get(channel=Channel.WEBHOOK)
        assert notifications.deliver_due() == 0
        hook.refresh_from_db()
        assert (hook.status, hook.attempts, hook.next_attempt_at) == ("pending", 1, T0 + dt.timedelta(minutes=1))
        assert "503" in hook.last_error
        assert notifications.deliver_due() == 0  # not due yet: nothing is attempted
        hook.refresh_from_db()
        assert hook.attempts == 1
        advance(dt.timedelta(minutes=1))
        assert notifications.deliver_due() == 0
        hook.refresh_from_db()
        assert hook.next_attempt_at == T0 + dt.timedelta(minutes=3)  # 1, then 2 minutes
        advance(dt.timedelta(minutes=2))
        assert notifications.deliver_due() == 1
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_error) == ("sent", 3, "")
    assert g.received[0]["subject"] == "预警" and g.received[0]["enterprise"]["credit_code"] == ent.credit_code


def test_channel_that_keeps_failing_gives_up_after_max_attempts(gateway, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    gateway(failures=100)
    ent = f.enterprise(contact_email="")
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="test", subject="预警", enterprise=ent)
        for _ in range(5):
            notifications.deliver_due()
            advance(dt.timedelta(hours=1))
    hook = note.deliveries.get(channel=Channel.WEBHOOK)
    assert (hook.status, hook.attempts, hook.next_attempt_at) == ("failed", 3, None)


def test_sent_delivery_is_never_sent_twice():
    ent = f.enterprise()
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="一次", enterprise=ent)
        email = note.deliveries.get(channel=Channel.EMAIL)
        assert notifications.deliver(email.pk) == "sent"
        assert notifications.deliver(email.pk) == "skipped"
        assert notifications.deliver_notification(note.pk) == []
    assert len(mail.outbox) == 1
