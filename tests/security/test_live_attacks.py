"""The web and data attacks of the hostile-world issue done to real servers on 127.0.0.1, bounded in time:
pytest-django's live server over HTTP (tokens and sessions as an attacker holds them) and the HJ 212 server
over TCP. Forged feedback by the enterprise and by an officer who is not the handler; future and old bulk
readings; the device's data arriving after an upload; a complaint photo's metadata as the accused sees it.
The same cases through Django's request stack in-process: test_forged_evidence.py, test_forged_readings.py,
test_complainant.py."""
import datetime as dt
import io
import re
import socket
import time
import uuid

import pytest
import requests
from PIL import Image

from dispatch import services
from dispatch.models import Attachment, Complaint, Feedback, WorkOrder
from enterprises.models import MonitoringDuty, Pollutant, Role
from monitoring.models import Aggregate, DataKind, Reading, ReadingSource
from monitoring.services import ingest
from tests import factories as f
from tests.monitoring.ingest_support import TZ, data_frame, device
from tests.monitoring.test_server_abuse import first_reply, run_server
from tests.security.test_complainant import ORIGINAL_NAME, PHONE, phone_photo
from tests.security.test_live_accounts import PASSWORD, token_for, web_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
BOUND = 60  # seconds each attack may take, all requests included


@pytest.fixture(autouse=True)
def _fast_hashes_and_fresh_ids(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ingest.forget_pollutants()


def api(base: str, token: str, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Token {token}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{base}/api/v1/{path}", headers=headers, timeout=30, **kwargs)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def test_forged_feedback_over_http_is_refused_and_the_handler_keeps_the_order(live_server):
    started, base = time.monotonic(), live_server.url
    town = f.township("伪造镇")
    ent = f.enterprise(town)  # no grid: the township handles its orders
    handler = f.user(Role.TOWNSHIP, township=town)
    accused = f.user(Role.ENTERPRISE, enterprise=ent)
    officer = f.user(Role.ENFORCEMENT)  # an officer, but not this order's handler
    order = services.work_order_open(source=WorkOrder.Source.PATROL, title="巡查发现问题", enterprise=ent,
                                     source_ref="live:forged")
    for step in ("accept", "start"):
        services.work_order_act(order_id=order.pk, action=step, user=handler)
    client_uuid = str(uuid.uuid4())
    own = api(base, token_for(base, handler.username, PASSWORD), "post", f"work-orders/{order.pk}/feedback/",
              json={"text": "已整改", "declared_files": 1, "client_uuid": client_uuid},
              headers={"Idempotency-Key": "handler-live-1"})
    assert own.status_code == 201, own.text
    feedback = Feedback.objects.get(client_uuid=client_uuid)

    for attacker in (accused, officer):
        token = token_for(base, attacker.username, PASSWORD)
        path = f"work-orders/{order.pk}/feedback/"
        attempts = [
            api(base, token, "post", path, json={"text": "假整改", "declared_files": 0, "client_uuid": client_uuid}),
            api(base, token, "post", path, json={"text": "假整改", "declared_files": 0}),
            api(base, token, "post", path, json={"text": "已整改", "declared_files": 1, "client_uuid": client_uuid},
                headers={"Idempotency-Key": "handler-live-1"}),
            api(base, token, "post", f"feedbacks/{feedback.pk}/attachments/",
                files={"file": ("fake.png", _png(), "image/png")}),
        ]
        assert [r.status_code in (403, 404, 422) for r in attempts] == [True] * 4, \
            [(r.status_code, r.text[:120]) for r in attempts]
        assert all("Idempotent-Replayed" not in r.headers for r in attempts)

    order.refresh_from_db()
    assert order.state == WorkOrder.State.HANDLING
    assert list(Feedback.objects.filter(work_order=order).values_list("submitted_by", flat=True)) == [handler.pk]
    assert not Attachment.objects.filter(feedback=feedback).exists()
    done = api(base, token_for(base, handler.username, PASSWORD), "post", f"feedbacks/{feedback.pk}/attachments/",
               files={"file": ("photo.png", _png(), "image/png")})
    assert done.status_code == 201, done.text
    order.refresh_from_db()
    assert order.state == WorkOrder.State.FED_BACK
    assert time.monotonic() - started < BOUND


def test_bulk_readings_over_http_and_the_device_winning_over_tcp(live_server):
    started, base = time.monotonic(), live_server.url
    dev = device()
    MonitoringDuty.objects.create(permit=dev.outlet.permit, outlet=dev.outlet, method=MonitoringDuty.Method.MANUAL,
                                  pollutant=Pollutant.objects.get(code="w01018"),
                                  frequency=MonitoringDuty.Frequency.MONTHLY)
    account = f.user(Role.ENTERPRISE, enterprise=dev.outlet.enterprise)
    token = token_for(base, account.username, PASSWORD)
    now = dt.datetime.now(TZ).replace(second=0, microsecond=0)
    at = now - dt.timedelta(minutes=30)

    def bulk(rows):
        return api(base, token, "post", "readings/bulk/", json=rows)

    def manual(when, value=42.0):
        return {"mn": dev.mn, "pollutant": "w01018", "observed_at": when.isoformat(), "kind": "manual", "avg": value}

    future_device = bulk([{"mn": dev.mn, "pollutant": "w01018", "observed_at": (now + dt.timedelta(minutes=m))
                           .isoformat(), "kind": "minute", "avg": 10} for m in range(0, 40, 10)])
    assert future_device.status_code == 400
    assert {e["reason"] for e in future_device.json()["errors"]} == {"forbidden"}
    future_manual = bulk([manual(now + dt.timedelta(minutes=10))])
    old_manual = bulk([manual(now - dt.timedelta(days=20))])
    assert [e["reason"] for e in future_manual.json()["errors"]] == ["bad_time"]
    assert [e["reason"] for e in old_manual.json()["errors"]] == ["bad_time"]
    assert not Reading.objects.filter(device=dev).exists()

    uploaded = bulk([manual(at, value=5.0)])
    assert uploaded.status_code == 200, uploaded.text
    srv, stop = run_server()
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.sendall(data_frame(dev.mn, at, {"w01018": {"Avg": 88.0, "Flag": "N"}}, cn="2051"))
            assert first_reply(sock).cn == "9014"
    finally:
        stop()
    stored = {r.source: r for r in Reading.objects.filter(device=dev, observed_at=at)}
    assert stored[ReadingSource.DEVICE_TCP].value == 88.0 and stored[ReadingSource.DEVICE_TCP].kind == DataKind.MINUTE
    assert stored[ReadingSource.MANUAL].value == 5.0 and stored[ReadingSource.MANUAL].entered_by_id == account.pk
    hour = Aggregate.objects.get(outlet=dev.outlet, period=Aggregate.Period.HOUR, start__lte=at,
                                 start__gt=at - dt.timedelta(hours=1))
    assert (hour.count, hour.avg) == (1, 88.0)  # the warning cycle reads the device's value, not the upload
    assert time.monotonic() - started < BOUND


def test_a_complaint_photo_over_http_reaches_the_accused_without_who(live_server):
    started, base = time.monotonic(), live_server.url
    town = f.township("投诉镇")
    ent = f.enterprise(town)
    accused = f.user(Role.ENTERPRISE, enterprise=ent)
    citizen = requests.Session()
    form_url = f"{base}/dispatch/complain/?enterprise={ent.credit_code}"
    page = citizen.get(form_url, timeout=30)
    assert page.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    original = phone_photo()
    filed = citizen.post(form_url, data={"csrfmiddlewaretoken": csrf, "township": town.pk, "enterprise": ent.credit_code,
                                         "text": "厂区夜间排放刺鼻气体", "contact": PHONE},
                         files={"photo": (ORIGINAL_NAME, original, "image/jpeg")},
                         headers={"Referer": form_url}, timeout=30, allow_redirects=False)
    assert filed.status_code == 302, filed.text[:400]
    complaint = Complaint.objects.select_related("work_order").get(enterprise=ent)

    session = requests.Session()
    assert web_login(session, base, accused.username, PASSWORD).status_code == 302
    html = session.get(f"{base}/dispatch/orders/{complaint.work_order_id}/", timeout=30).text
    assert "厂区夜间排放刺鼻气体" in html
    assert PHONE not in html and "张三" not in html and "IMG_0042" not in html
    photo = session.get(f"{base}/dispatch/complaints/{complaint.pk}/photo/", timeout=30)
    assert photo.status_code == 200
    image = Image.open(io.BytesIO(photo.content))
    assert photo.content != original and image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"PhoneModel" not in photo.content and PHONE.encode() not in photo.content
    assert "张三" not in photo.headers.get("Content-Disposition", "")
    token = token_for(base, accused.username, PASSWORD)
    assert api(base, token, "get", "complaints/").status_code == 403
    order = api(base, token, "get", f"work-orders/{complaint.work_order_id}/")
    assert order.status_code == 200 and PHONE not in order.text and "张三" not in order.text
    assert time.monotonic() - started < BOUND
