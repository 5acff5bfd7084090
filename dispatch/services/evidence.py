"""Evidence uploads: validate a file by its bytes (type and size), hash it, store it once.

``attach`` is idempotent: the same client UUID, or the same SHA-256 for the same feedback or line
result, returns the stored row instead of a duplicate. When the last declared file of a feedback
arrives, the feedback becomes complete and its order moves to ``fed_back``.
"""
import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core import clock

from .. import workflow
from ..models import Attachment, Feedback, LineResult, WorkOrder
from ..workflow import S, WorkflowError
from . import photos

MAX_IMAGE_BYTES = getattr(settings, "DISPATCH_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
MAX_VIDEO_BYTES = getattr(settings, "DISPATCH_MAX_VIDEO_BYTES", 200 * 1024 * 1024)
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
VIDEO_BRANDS = {b"qt  ": "video/quicktime"}  # any other ISO-BMFF brand is MP4


class EvidenceError(WorkflowError):
    status_code = 400


def sniff(upload: UploadedFile) -> str:
    """The content type of ``upload`` judged from its bytes (never from the client's claim), after
    checking its size; raises ``EvidenceError`` for anything but a photo or a video (a video's boxes are
    walked, an image's pixel count is checked before anything is decoded)."""
    if upload.size == 0:
        raise EvidenceError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        if len(head) >= 12 and head[4:8] == b"ftyp":
            if upload.size > MAX_VIDEO_BYTES:
                raise EvidenceError(_("A video may be at most %(mb)d MB.") % {"mb": MAX_VIDEO_BYTES // 2**20})
            return VIDEO_BRANDS.get(photos.video_brand(upload, upload.size), "video/mp4")
        if upload.size > MAX_IMAGE_BYTES:
            raise EvidenceError(_("A photo may be at most %(mb)d MB.") % {"mb": MAX_IMAGE_BYTES // 2**20})
        with photos.open_image(upload) as image:
            kind = image.format
            image.verify()
    except photos.BadMedia as exc:
        raise EvidenceError(str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise EvidenceError(_("Only photos (JPEG, PNG, WebP) and videos (MP4, MOV) are accepted.")) from None
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        raise EvidenceError(_("Only photos (JPEG, PNG, WebP) and videos (MP4, MOV) are accepted."))
    return IMAGE_TYPES[kind]


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _coordinate(value, low: float, high: float, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EvidenceError(_("%(name)s is not a number.") % {"name": name}) from None
    if not low <= number <= high:
        raise EvidenceError(_("%(name)s is out of range.") % {"name": name})
    return number


def attachment_add(*, upload: UploadedFile, feedback: Feedback | None = None, line_result: LineResult | None = None,
                   user=None, client_uuid: uuid.UUID | str | None = None, taken_at: dt.datetime | None = None,
                   latitude=None, longitude=None) -> tuple[Attachment, bool]:
    """Store one evidence file for a feedback or a line result. Returns ``(attachment, created)``."""
    if (feedback is None) == (line_result is None):
        raise ValueError("attach to exactly one of feedback or line_result")
    content_type = sniff(upload)
    digest = sha256_of(upload)
    lat = _coordinate(latitude, -90, 90, "latitude")
    lon = _coordinate(longitude, -180, 180, "longitude")
    if (lat is None) != (lon is None):
        raise EvidenceError(_("Send both latitude and longitude, or neither."))
    client_uuid = uuid.UUID(str(client_uuid)) if client_uuid else None
    parent = {"feedback": feedback} if feedback is not None else {"line_result": line_result}
    same = Q(sha256=digest) | (Q(client_uuid=client_uuid) if client_uuid else Q(pk__in=[]))
    now = clock.now()
    with transaction.atomic():
        if feedback is not None:  # serialise uploads of one feedback so completion is decided once
            feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
            parent = {"feedback": feedback}
        existing = Attachment.objects.filter(same, **parent).first()
        if existing is not None:
            return existing, False
        if feedback is not None and feedback.completed_at is not None:
            raise EvidenceError(_("All %(n)d declared files of this feedback have arrived already.")
                                % {"n": feedback.declared_files})
        try:
            with transaction.atomic():
                attachment = Attachment.objects.create(
                    **parent, file=upload, sha256=digest, size=upload.size, content_type=content_type,
                    client_uuid=client_uuid, taken_at=taken_at, latitude=lat, longitude=lon, uploaded_by=user,
                    uploaded_at=now)
        except IntegrityError:
            return Attachment.objects.get(same, **parent), False
        if feedback is not None and feedback.attachments.count() >= feedback.declared_files:
            order = WorkOrder.objects.select_for_update().get(pk=feedback.work_order_id)
            feedback_complete(feedback=feedback, order=order, now=now)
        return attachment, True


def completeness(feedback: Feedback) -> dict:
    """``{"declared": N, "received": M, "complete": bool}`` for display and APIs."""
    received = feedback.attachments.count()
    return {"declared": feedback.declared_files, "received": received, "complete": feedback.completed_at is not None}


def feedback_complete(*, feedback: Feedback, order: WorkOrder, now: dt.datetime) -> None:
    """Mark ``feedback`` complete and move its (locked) order to ``fed_back`` if it is still handling."""
    feedback.completed_at = now
    feedback.save(update_fields=["completed_at"])
    if order.state == S.HANDLING:
        workflow.apply(order, "feed_back", feedback.submitted_by,
                       _("Feedback with %(n)d file(s) complete.") % {"n": feedback.declared_files}, now=now)
