"""State kept for field clients on bad networks.

``IdempotencyRecord``: the first response to a write sent with an ``Idempotency-Key`` header, so a
retried request (same user, same key) gets that response again and creates nothing new. Records
expire (``EXPIRES_AFTER``) and are purged by ``fieldsync.tasks.purge_expired``.

``RoundDraft``: a checklist round being filled line by line on the server (so a lost phone or a
dropped connection loses nothing); submitting it hands the answers to ``dispatch.checklists.submit_round``
with the draft's UUID as the round's client UUID, so a retried submit returns the same round.
"""
import datetime as dt
import uuid

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

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method} {self.path}"


class RoundDraft(models.Model):
    """A self-check, patrol or inspection round being filled, before it becomes a ``dispatch.Round``."""

    client_uuid = models.UUIDField(_("round id"), unique=True, default=uuid.uuid4,
                                   help_text=_("Becomes the client UUID of the submitted round."))
    kind = models.CharField(_("kind"), max_length=16)
    checklist = models.ForeignKey("dispatch.Checklist", models.PROTECT, related_name="+",
                                  verbose_name=_("checklist"))
    enterprise = models.ForeignKey("enterprises.Enterprise", models.CASCADE, related_name="+",
                                   verbose_name=_("enterprise"))
    notice = models.ForeignKey("dispatch.SelfCheckNotice", models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("self-check notice"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                   verbose_name=_("started by"))
    answers = models.JSONField(_("answers so far"), default=dict, blank=True,
                               help_text=_('{"<line id>": {"result": "pass|fail|na", "note": "..."}}'))
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(_("updated at"))
    submitted_round = models.OneToOneField("dispatch.Round", models.SET_NULL, null=True, blank=True,
                                           related_name="+", verbose_name=_("submitted round"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("round draft")
        verbose_name_plural = _("round drafts")

    def __str__(self) -> str:
        return f"{self.kind} {self.enterprise_id} {self.client_uuid}"
