"""Bureau-approved backfills: an enterprise may upload manual results older than the configured age
(``MONITORING_UPLOAD_MAX_AGE``) only for an outlet and a time range the bureau approved. Approvals are
audited (``audit.recorder.AUDITED``)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Outlet


class BackfillApproval(models.Model):
    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="backfill_approvals", verbose_name=_("outlet"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("approved backfill")
        verbose_name_plural = _("approved backfills")
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="backfill_range_not_empty")]

    def __str__(self) -> str:
        return f"{self.outlet} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(_("The end must come after the start."))
