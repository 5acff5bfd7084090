"""Periodic self-assessment: an enterprise declares, line by line, whether it kept its own permit's
obligations in a period; each line also holds the platform's own view of the same obligation
(from warnings, execution reports and failed inspection lines), so differences stand out."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Permit


class SelfAssessment(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="self_assessments",
                                   verbose_name=_("enterprise"))
    permit = models.ForeignKey(Permit, models.CASCADE, related_name="+", verbose_name=_("permit"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    differences = models.PositiveIntegerField(_("differences from the platform's view"), default=0)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [models.UniqueConstraint(fields=["enterprise", "period_start", "period_end"],
                                               name="one_self_assessment_per_period")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period_start}–{self.period_end}"


class AssessmentLine(models.Model):
    assessment = models.ForeignKey(SelfAssessment, models.CASCADE, related_name="lines",
                                   verbose_name=_("self-assessment"))
    seq = models.PositiveIntegerField(_("number"))
    ref = models.CharField(_("permit reference"), max_length=64, help_text=_("e.g. limit:12, duty:3, item:4"))
    category = models.CharField(_("category"), max_length=24)
    title = models.CharField(_("obligation"), max_length=300)
    declared_ok = models.BooleanField(_("declared kept"))
    note = models.TextField(_("note"), blank=True)
    platform_ok = models.BooleanField(_("kept in the platform's view"), null=True, blank=True,
                                      help_text=_("Empty where the platform holds no data on it."))
    platform_reason = models.CharField(_("platform finding"), max_length=300, blank=True)

    class Meta:
        ordering = ["assessment", "seq"]
        verbose_name = _("self-assessment line")
        verbose_name_plural = _("self-assessment lines")
        constraints = [models.UniqueConstraint(fields=["assessment", "seq"], name="assessment_line_seq_unique")]

    @property
    def differs(self) -> bool:
        return self.platform_ok is not None and self.platform_ok != self.declared_ok
