"""Evidence files (photos, videos) attached to a feedback or to a checklist line result.

Each file keeps its SHA-256, size, sniffed content type, and the time and GPS position the client sent.
A retried upload (same client UUID, or same hash for the same parent) never makes a second row.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .checklists import LineResult
from .orders import Feedback

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
              "video/quicktime": "mov"}


def evidence_path(instance, filename: str) -> str:
    """A generated stored name (``evidence/YYYY/MM/<random>.<type>``): the client's file name is not kept."""
    moment = instance.uploaded_at
    return f"evidence/{moment:%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS.get(instance.content_type, 'bin')}"


class Attachment(models.Model):
    feedback = models.ForeignKey(Feedback, models.CASCADE, null=True, blank=True, related_name="attachments",
                                 verbose_name=_("feedback"))
    line_result = models.ForeignKey(LineResult, models.CASCADE, null=True, blank=True, related_name="attachments",
                                    verbose_name=_("checklist line result"))
    file = models.FileField(_("file"), upload_to=evidence_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=64)
    client_uuid = models.UUIDField(_("client upload id"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="dispatch_attachments", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(name="attachment_has_one_parent",
                                   condition=Q(feedback__isnull=False, line_result__isnull=True)
                                   | Q(feedback__isnull=True, line_result__isnull=False)),
            models.UniqueConstraint(fields=["feedback", "sha256"], condition=Q(feedback__isnull=False),
                                    name="attachment_unique_hash_per_feedback"),
            models.UniqueConstraint(fields=["feedback", "client_uuid"],
                                    condition=Q(feedback__isnull=False, client_uuid__isnull=False),
                                    name="attachment_unique_uuid_per_feedback"),
            models.UniqueConstraint(fields=["line_result", "sha256"], condition=Q(line_result__isnull=False),
                                    name="attachment_unique_hash_per_line"),
            models.UniqueConstraint(fields=["line_result", "client_uuid"],
                                    condition=Q(line_result__isnull=False, client_uuid__isnull=False),
                                    name="attachment_unique_uuid_per_line"),
            models.CheckConstraint(name="attachment_latitude_range",
                                   condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90)),
            models.CheckConstraint(name="attachment_longitude_range",
                                   condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
        ]

    def __str__(self) -> str:
        return f"{self.content_type} {self.sha256[:12]}"
