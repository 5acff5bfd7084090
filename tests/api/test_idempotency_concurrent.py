"""Two simultaneous requests with the same Idempotency-Key (a client that retried before the first
answer arrived) on the real server: one feedback is stored; the other request gets the first answer
or 409 "in progress"; and expired records are purged."""
import datetime as dt
import threading

import pytest
import requests

from core import clock
from core.models import IdempotencyRecord
from core.services import idempotency_purge_expired
from dispatch import services
from dispatch.models import Feedback

from .conftest import PASSWORD, T0


@pytest.mark.slow
def test_simultaneous_retries_store_one_feedback(world, live_server):
    with clock.frozen(T0):
        for step in ("accept", "start"):
            services.work_order_act(order_id=world.order_a.pk, action=step, user=world.users["township_a"])
        token = requests.post(f"{live_server.url}/api/v1/auth/token/", timeout=10, json={
            "username": world.users["township_a"].username, "password": PASSWORD}).json()["token"]
        url = f"{live_server.url}/api/v1/work-orders/{world.order_a.pk}/feedback/"
        headers = {"Authorization": f"Token {token}", "Idempotency-Key": "same-key"}
        answers, barrier = [], threading.Barrier(4)

        def send():
            barrier.wait()
            answers.append(requests.post(url, json={"text": "已整改"}, headers=headers, timeout=20))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert Feedback.objects.filter(work_order=world.order_a).count() == 1
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) >= 1 and set(codes) <= {201, 409}, codes
    first = next(a.json() for a in answers if a.status_code == 201)
    assert all(a.json() == first for a in answers if a.status_code == 201)
    assert all(a.json()["code"] == "idempotency_in_progress" for a in answers if a.status_code == 409)


def test_expired_records_are_purged(world):
    user = world.users["bureau"]
    for key, age in (("old", 30), ("new", 1)):
        created = T0 - dt.timedelta(hours=age)
        IdempotencyRecord.objects.create(user=user, key=key, method="POST", path="/x/", fingerprint="f",
                                         created_at=created, expires_at=created + dt.timedelta(hours=24))
    assert idempotency_purge_expired(now=T0) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
