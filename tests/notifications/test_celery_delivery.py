"""End to end: a real Celery worker on Redis sends a user's WeChat Work and DingTalk robot messages to
robots on 127.0.0.1; the robot's "too many messages" errcode is retried with back-off by a task the
worker queues for the retry time, and the second attempt is sent."""
import time

import pytest

from enterprises.models import Role
from notifications import services as notifications
from notifications.models import Channel, Delivery
from notifications.tasks import deliver_notification
from tests import factories as f
from tests.celery_worker import running_worker
from tests.notifications.robots import Robot

QUEUE = "test_notifications_e2e"
KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN = "e9a8118c8a3dc0e2a4b6685fab41df25"


@pytest.fixture
def robot(monkeypatch):
    r = Robot([(200, {"errcode": 45009, "errmsg": "api freq out of limit"})])
    for name, value in (("NOTIFY_WECOM_URL", f"{r.base}/cgi-bin/webhook/send"),
                        ("NOTIFY_DINGTALK_URL", f"{r.base}/robot/send"), ("NOTIFY_RETRY_BASE_SECONDS", "1")):
        monkeypatch.setenv(name, value)  # read by the worker's settings
    yield r
    r.close()


@pytest.fixture
def worker(robot, tmp_path):
    with running_worker(QUEUE, tmp_path / "worker.log") as proc:
        yield proc


@pytest.mark.slow
def test_robot_messages_are_sent_and_retried_by_a_real_worker(transactional_db, robot, worker):
    user = f.user(Role.TOWNSHIP, township=f.township())
    notifications.preference_update(user=user, email=False, sms=False, wecom=True, dingtalk=True, wecom_key=KEY,
                                    dingtalk_token=TOKEN)
    note = notifications.notify(kind="workorder_dispatched", subject="工单 #9 已派发", user=user)
    deliver_notification.apply_async((note.pk,), queue=QUEUE)
    hooks = Delivery.objects.filter(notification=note).exclude(channel=Channel.IN_APP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and hooks.filter(status="sent").count() < 2:
        time.sleep(0.5)
    got = {d.channel: (d.status, d.attempts) for d in hooks}
    path = {Channel.WECOM: "/cgi-bin/webhook/send", Channel.DINGTALK: "/robot/send"}
    [refused] = [channel for channel, (_, attempts) in got.items() if attempts == 2]  # the first call was refused
    assert sorted(got.values()) == [("sent", 1), ("sent", 2)], got
    assert sorted(r["path"] for r in robot.received) == sorted([*path.values(), path[refused]])
    bodies = {r["path"]: r["body"] for r in robot.received}
    assert bodies[path[Channel.WECOM]] == {"msgtype": "markdown", "markdown": {"content": "### 工单 #9 已派发"}}
    assert bodies[path[Channel.DINGTALK]] == {"msgtype": "markdown",
                                              "markdown": {"title": "工单 #9 已派发", "text": "### 工单 #9 已派发"}}
