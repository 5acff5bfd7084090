"""Forged evidence, tried as an attacker would: the enterprise (or an officer who is not the order's
handler) reads the handler's feedback id from the order and posts a "feedback" or an evidence file with
it, or replays the handler's Idempotency-Key. Permission is checked first: every attempt is refused, the
order stays in handling and the handler's feedback keeps its one author."""
import io
import uuid

import pytest
from PIL import Image

from core import clock
from dispatch import services
from dispatch.models import Attachment, Feedback, WorkOrder
from tests.api.conftest import T0, client_for


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "fake.png"
    return buf


@pytest.fixture
def handling(world):
    """Order A in handling; its handler (township A) has fed back with one of two files still to come."""
    with clock.frozen(T0):
        for step in ("accept", "start"):
            services.work_order_act(order_id=world.order_a.pk, action=step, user=world.users["township_a"])
    handler = client_for(world.users["township_a"])
    client_uuid = str(uuid.uuid4())
    response = handler.post(f"/api/v1/work-orders/{world.order_a.pk}/feedback/",
                            {"text": "已整改", "declared_files": 1, "client_uuid": client_uuid}, format="json",
                            HTTP_IDEMPOTENCY_KEY="handler-key-1")
    assert response.status_code == 201, response.content
    world.feedback = Feedback.objects.get(client_uuid=client_uuid)
    return world


@pytest.mark.parametrize("attacker", ["ent_a", "enforcement", "bureau"])
def test_forged_feedback_with_the_handlers_client_id_is_refused(handling, attacker):
    w = handling
    client = client_for(w.users[attacker])
    url = f"/api/v1/work-orders/{w.order_a.pk}/feedback/"
    forged = client.post(url, {"text": "假整改", "declared_files": 0, "client_uuid": str(w.feedback.client_uuid)},
                         format="json")
    assert forged.status_code in (403, 404), forged.content
    fresh = client.post(url, {"text": "假整改", "declared_files": 0}, format="json")
    assert fresh.status_code in (403, 404), fresh.content
    replayed = client.post(url, {"text": "已整改", "declared_files": 1, "client_uuid": str(w.feedback.client_uuid)},
                           format="json", HTTP_IDEMPOTENCY_KEY="handler-key-1")
    assert replayed.status_code in (403, 404, 422), replayed.content
    assert "Idempotent-Replayed" not in replayed
    upload = client.post(f"/api/v1/feedbacks/{w.feedback.pk}/attachments/", {"file": _png()}, format="multipart")
    assert upload.status_code in (403, 404), upload.content
    w.order_a.refresh_from_db()
    assert w.order_a.state == WorkOrder.State.HANDLING
    assert list(Feedback.objects.filter(work_order=w.order_a).values_list("submitted_by", flat=True)) == \
        [w.users["township_a"].pk]
    assert not Attachment.objects.filter(feedback=w.feedback).exists()


def test_forged_feedback_through_the_service_is_refused_before_the_client_id(handling):
    w = handling
    from dispatch.workflow import NotAllowed
    with pytest.raises(NotAllowed):
        services.feedback_submit(order_id=w.order_a.pk, user=w.users["ent_a"], text="假整改",
                                 client_uuid=w.feedback.client_uuid)


def test_a_key_of_another_user_is_refused_even_on_another_order(handling):
    """The same Idempotency-Key from someone else never replays the first user's answer."""
    w = handling
    response = client_for(w.users["ent_a"]).post("/api/v1/notifications/mark-read/", {}, format="json",
                                                 HTTP_IDEMPOTENCY_KEY="handler-key-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_foreign"


def test_the_handler_still_completes_the_feedback(handling):
    w = handling
    client = client_for(w.users["township_a"])
    again = client.post(f"/api/v1/work-orders/{w.order_a.pk}/feedback/",
                        {"text": "已整改", "declared_files": 1, "client_uuid": str(w.feedback.client_uuid)},
                        format="json", HTTP_IDEMPOTENCY_KEY="handler-key-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    upload = client.post(f"/api/v1/feedbacks/{w.feedback.pk}/attachments/", {"file": _png()}, format="multipart")
    assert upload.status_code == 201, upload.content
    w.order_a.refresh_from_db()
    assert w.order_a.state == WorkOrder.State.FED_BACK
