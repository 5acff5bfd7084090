"""A storm's deliveries are shared by the queue's workers: ``notify_many`` queues a batch's outbound
deliveries in tasks of ``NOTIFY_DELIVERY_CHUNK`` (not one sweep that one worker sends alone), and two real
Celery workers on Redis send every one of them exactly once."""
import time

import pytest
from django.test import override_settings

from config.celery import app
from enterprises.models import Role
from notifications import services as notifications
from notifications.models import Channel, Delivery
from tests import factories as f
from tests.celery_worker import running_worker

QUEUE = "test_notifications_fanout"
ENTERPRISES = 120


@pytest.fixture
def chunks_to_test_queue(monkeypatch):
    """The chunk tasks routed to this test's queue (its workers), the router rebuilt; as before afterwards."""
    monkeypatch.setitem(app.conf.task_routes, "notifications.tasks.deliver_deliveries", {"queue": QUEUE})
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    yield
    monkeypatch.undo()
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def queued() -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(QUEUE, passive=False, durable=True, auto_delete=False).message_count


@pytest.mark.slow
@override_settings(NOTIFY_DELIVERY_CHUNK=50)
def test_a_storm_is_queued_in_chunks_and_sent_once_by_two_workers(transactional_db, tmp_path, chunks_to_test_queue):
    town = f.township()
    enterprises = [f.enterprise(town, contact_phone=f"1390000{k:04d}", contact_email="") for k in range(ENTERPRISES)]
    for ent in enterprises:
        f.user(Role.ENTERPRISE, enterprise=ent)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    notifications.notify_many(notifications.Message(kind="alert.incident", subject="区域数据中断", enterprise=ent,
                                                    dedup_key=f"fanout:{ent.pk}") for ent in enterprises)
    texts = Delivery.objects.filter(notification__kind="alert.incident", channel=Channel.SMS)
    assert texts.count() == ENTERPRISES and not texts.exclude(status="pending").exists()
    assert queued() == 3  # 120 deliveries in tasks of 50, 50 and 20

    with running_worker(QUEUE, tmp_path / "a.log"), running_worker(QUEUE, tmp_path / "b.log"):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and texts.filter(status="sent").count() < ENTERPRISES:
            time.sleep(0.5)
    assert sorted(set(texts.values_list("status", "attempts"))) == [("sent", 1)]
    assert sorted(texts.values_list("address", flat=True)) == sorted(e.contact_phone for e in enterprises)
    assert queued() == 0
