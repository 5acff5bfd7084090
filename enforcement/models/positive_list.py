"""The positive list (监督执法正面清单): enterprises supervised off-site instead of routine visits.
One row per stay on the list, proposed by the entry rules, approved and published by the bureau, and
ended with a reason; the enterprise sees both reasons."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class PositiveListEntry(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        LISTED = "listed", _("approved and published")
        REJECTED = "rejected", _("not approved")
        REMOVED = "removed", _("removed")

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="positive_list_entries",
                                   verbose_name=_("enterprise"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED,
                             db_index=True)
    entry_reason = models.TextField(_("reason for entry"))
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for removal"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("positive list entry")
        verbose_name_plural = _("positive list")
        constraints = [models.UniqueConstraint(fields=["enterprise"], condition=Q(state__in=["proposed", "listed"]),
                                               name="one_open_positive_entry")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_state_display()}"
