"""Monthly inspection plans drawn by double random draw (双随机): random enterprises, weighted by colour
and risk, and random pairs of officers within their capacity. The seed is stored so the draw can be
replayed and audited (``enforcement.services.draw``)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .inspections import Mode

DEFAULT_MONTHLY_CAPACITY = 30


class OfficerCapacity(models.Model):
    """How many inspections an enforcement officer can take part in per month (default 30)."""

    officer = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="inspection_capacity",
                                   verbose_name=_("officer"))
    per_month = models.PositiveSmallIntegerField(_("inspections per month"), default=DEFAULT_MONTHLY_CAPACITY)

    class Meta:
        verbose_name = _("officer capacity")
        verbose_name_plural = _("officer capacities")

    def __str__(self) -> str:
        return f"{self.officer} {self.per_month}"


class InspectionPlan(models.Model):
    """The plan of one month: the random draw (seed, who drew it, a summary) and the targeted items."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True,
                                    help_text=_("Empty while only targeted inspections are planned."))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("drawn by"))
    summary = models.JSONField(_("draw summary"), default=dict)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [models.UniqueConstraint(fields=["year", "month"], name="one_plan_per_month")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class PlannedInspection(models.Model):
    class Reason(models.TextChoices):
        DRAW = "draw", _("random draw")
        WARNING = "warning", _("warning")
        COMPLAINT = "complaint", _("complaint")
        SELF_CHECK = "self_check", _("failed self-check")

    plan = models.ForeignKey(InspectionPlan, models.CASCADE, related_name="items", verbose_name=_("plan"))
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="planned_inspections",
                                   verbose_name=_("enterprise"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default=Reason.DRAW)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True,
                                  help_text=_("e.g. alert:12, complaint:4, round:9"))
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("first officer"))
    second_officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("second officer"))

    class Meta:
        ordering = ["plan", "enterprise__name"]
        verbose_name = _("planned inspection")
        verbose_name_plural = _("planned inspections")
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise", "reason", "source_ref"], name="planned_once"),
            models.CheckConstraint(name="planned_two_distinct_officers_on_site",
                                   condition=models.Q(mode="off_site")
                                   | (models.Q(lead_officer__isnull=False, second_officer__isnull=False)
                                      & ~models.Q(lead_officer=models.F("second_officer")))),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.enterprise}"
