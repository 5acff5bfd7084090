"""A retried write with the same Idempotency-Key returns the first response and creates nothing new."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import IdempotencyRecord
from dispatch import services
from dispatch.models import Attachment, Feedback
from fieldsync.models import RoundDraft

from .conftest import client_for, jpeg_bytes


def _photo(seed=1):
    return SimpleUploadedFile("p.jpg", jpeg_bytes(seed), content_type="image/jpeg")


def _handling(world):
    for step in ("accept", "start"):
        services.work_order_act(order_id=world.order_a.pk, action=step, user=world.users["township_a"])


def test_retried_feedback_with_photo_returns_the_first_and_stores_one(world, frozen):
    _handling(world)
    client = client_for(world.users["township_a"])
    url = f"/api/v1/work-orders/{world.order_a.pk}/feedback/"
    first = client.post(url, {"text": "已整改", "files": [_photo()]}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, {"text": "已整改", "files": [_photo()]}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Feedback.objects.filter(work_order=world.order_a).count() == 1
    assert Attachment.objects.filter(feedback__work_order=world.order_a).count() == 1
    world.order_a.refresh_from_db()
    assert world.order_a.state == "fed_back"


def test_retried_round_start_creates_one_draft(world, frozen):
    client = client_for(world.users["township_a"])
    body = {"kind": "patrol", "enterprise": world.ent_a.pk}
    first = client.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="start-1")
    again = client.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="start-1")
    assert first.status_code == 201
    assert (again.status_code, again.json()) == (201, first.json())
    assert RoundDraft.objects.filter(started_by=world.users["township_a"]).count() == 1
    # without the key, a second start is a second round
    assert client.post("/api/v1/round-drafts/", body, format="json").status_code == 201
    assert RoundDraft.objects.filter(started_by=world.users["township_a"]).count() == 2


def test_same_key_with_another_body_is_422(world, frozen):
    client = client_for(world.users["bureau"])
    url = f"/api/v1/alerts/{world.alert_a.pk}/close/"
    assert client.post(url, {"reason": "误报"}, format="json", HTTP_IDEMPOTENCY_KEY="c").status_code == 200
    other = client.post(url, {"reason": "设备检修"}, format="json", HTTP_IDEMPOTENCY_KEY="c")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_one_user(world, frozen):
    """Another user's key is refused (422), never replayed; the first user's draft is the only one."""
    url = "/api/v1/round-drafts/"
    body = {"kind": "inspection", "enterprise": world.ent_a.pk}
    a = client_for(world.users["bureau"]).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = client_for(world.users["enforcement"]).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (a.status_code, b.status_code) == (201, 422)
    assert b.json()["code"] == "idempotency_key_foreign"
    assert RoundDraft.objects.filter(started_by=world.users["enforcement"]).count() == 0


def test_a_refused_request_releases_its_key_and_a_done_one_replays(world, frozen):
    client = client_for(world.users["township_a"])
    url = f"/api/v1/work-orders/{world.order_a.pk}/start/"
    refused = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="s")  # not accepted yet
    assert refused.status_code == 409
    assert refused.json()["code"] == "illegal_transition"
    assert not IdempotencyRecord.objects.filter(key="s").exists()
    accepted = client.post(f"/api/v1/work-orders/{world.order_a.pk}/accept/", {}, format="json",
                           HTTP_IDEMPOTENCY_KEY="a")
    assert accepted.status_code == 200
    assert client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="s").status_code == 200
    replay = client.post(f"/api/v1/work-orders/{world.order_a.pk}/accept/", {}, format="json",
                         HTTP_IDEMPOTENCY_KEY="a")
    assert (replay.status_code, replay.json()) == (200, accepted.json())  # not a 409: the first answer
    assert world.order_a.transitions.filter(action="accept").count() == 1


def test_keys_expire_after_a_day(world, frozen):
    client = client_for(world.users["township_a"])
    body = {"kind": "patrol", "enterprise": world.ent_a.pk}
    client.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    frozen(dt.timedelta(hours=25))
    assert client.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="old").status_code == 201
    assert RoundDraft.objects.filter(started_by=world.users["township_a"]).count() == 2


def test_a_bad_key_is_400(world):
    client = client_for(world.users["ent_a"])
    response = client.post(f"/api/v1/alerts/{world.alert_a.pk}/acknowledge/", {}, format="json",
                           HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
