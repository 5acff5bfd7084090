"""Idempotency records: the first response to a write sent with an ``Idempotency-Key`` header, so a
retried request (same user, same key) gets that response again and creates nothing new. Records
expire (``EXPIRES_AFTER``) and are purged hourly (``core.tasks.purge_expired_idempotency``).
See ``core.api.idempotency``."""
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

EXPIRES_AFTER = dt.timedelta(hours=24)


class IdempotencyRecord(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64,
                                   help_text=_("SHA-256 of method, path and body; another body with the same key "
                                               "is refused."))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["key"], name="idempotency_key_idx")]  # "is this key someone else's?"


    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method} {self.path}"
