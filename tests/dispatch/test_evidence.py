"""Evidence that holds up: type and size checked by bytes, hash/time/GPS kept, a feedback complete only
when all declared files arrived, and a retried upload never duplicates."""
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import clock
from dispatch import services
from dispatch.models import Attachment, WorkOrder
from dispatch.services import evidence
from dispatch.services.evidence import EvidenceError

from .conftest import T0, jpeg

pytestmark = pytest.mark.usefixtures("english")  # asserts on the English msgids of service errors


@pytest.fixture
def handling(county):
    order = services.work_order_open(source="manual", title="x", enterprise=county.ent_a)
    services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
    services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
    return order


def test_feedback_is_complete_only_when_all_declared_files_arrived(county, handling):
    with clock.frozen(T0):
        fb, _ = services.feedback_submit(order_id=handling.pk, user=county.officer_a, text="已整改", declared_files=3)
        for n in range(2):
            evidence.attachment_add(upload=jpeg(n), feedback=fb, user=county.officer_a, latitude="30.1",
                                    longitude=120.2, taken_at=T0)
        fb.refresh_from_db()
        handling.refresh_from_db()
        assert fb.completed_at is None and handling.state == WorkOrder.State.HANDLING
        assert evidence.completeness(fb) == {"declared": 3, "received": 2, "complete": False}
        evidence.attachment_add(upload=jpeg(2), feedback=fb, user=county.officer_a)
    fb.refresh_from_db()
    handling.refresh_from_db()
    assert fb.completed_at == T0 and handling.state == WorkOrder.State.FED_BACK
    first = fb.attachments.first()
    assert (first.latitude, first.longitude, first.taken_at, first.content_type) == (30.1, 120.2, T0, "image/jpeg")
    assert len(first.sha256) == 64 and first.size > 0
    with pytest.raises(EvidenceError, match="arrived already"):
        evidence.attachment_add(upload=jpeg(9), feedback=fb)


def test_retried_upload_and_retried_feedback_never_duplicate(county, handling):
    key = uuid.uuid4()
    fb, _ = services.feedback_submit(order_id=handling.pk, user=county.officer_a, text="a", declared_files=2,
                                     client_uuid=key)
    again, _ = services.feedback_submit(order_id=handling.pk, user=county.officer_a, text="a", declared_files=2,
                                        client_uuid=key)
    assert again.pk == fb.pk
    upload = uuid.uuid4()
    a1, created1 = evidence.attachment_add(upload=jpeg(1), feedback=fb, client_uuid=upload)
    a2, created2 = evidence.attachment_add(upload=jpeg(1), feedback=fb, client_uuid=upload)  # same id
    a3, created3 = evidence.attachment_add(upload=jpeg(1), feedback=fb)  # same bytes, no id
    assert (created1, created2, created3) == (True, False, False) and a1.pk == a2.pk == a3.pk
    assert Attachment.objects.count() == 1
    fb.refresh_from_db()
    assert fb.completed_at is None  # a duplicate never counts as the second file


@pytest.mark.parametrize("payload, message", [
    (b"%PDF-1.4 not a photo", "Only photos"),
    (b"", "empty"),
    (b"\xff\xd8\xff\xe0 truncated jpeg", "Only photos"),
])
def test_wrong_files_are_refused(county, handling, payload, message):
    fb, _ = services.feedback_submit(order_id=handling.pk, user=county.officer_a, text="a", declared_files=1)
    with pytest.raises(EvidenceError, match=message):
        evidence.attachment_add(upload=SimpleUploadedFile("x.jpg", payload, content_type="image/jpeg"), feedback=fb)
    assert Attachment.objects.count() == 0


def test_size_limits_and_video(county, handling, monkeypatch):
    fb, _ = services.feedback_submit(order_id=handling.pk, user=county.officer_a, text="a", declared_files=2)
    # a box-structured MP4 (ftyp, moov, mdat): "ftyp at byte 4" alone is refused now (tests/security/
    # test_uploads_exports.py)
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    video = SimpleUploadedFile("v.mp4", ftyp + b"\x00\x00\x00\x10moov" + b"\x00" * 8 + b"\x00\x00\x00\x48mdat"
                               + b"\x00" * 64, content_type="video/mp4")
    att, _ = evidence.attachment_add(upload=video, feedback=fb)
    assert att.content_type == "video/mp4"
    monkeypatch.setattr(evidence, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(EvidenceError, match="at most"):
        evidence.attachment_add(upload=jpeg(5), feedback=fb)
    with pytest.raises(EvidenceError, match="latitude"):
        monkeypatch.setattr(evidence, "MAX_IMAGE_BYTES", 10**7)
        evidence.attachment_add(upload=jpeg(5), feedback=fb, latitude=91, longitude=120)
