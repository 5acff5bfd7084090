"""State kept for field clients on bad networks.

``RoundDraft``: a checklist round being filled line by line on the server (so a lost phone or a
dropped connection loses nothing); submitting it hands the answers to ``dispatch.services.round_submit``
with the draft's UUID as the round's client UUID, so a retried submit returns the same round.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
