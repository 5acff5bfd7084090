"""Inspections, on-site (现场检查: the permit-derived checklist filled as a ``dispatch.Round`` of kind
inspection, two officers, times, GPS, the on-site record confirmed or disputed by the enterprise) and
off-site (非现场检查: one officer reviews online data, reports, video and self-checks, one line each with its
finding, and writes a conclusion)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dispatch.models import Round, WorkOrder
from enterprises.models import Enterprise


class Mode(models.TextChoices):
    ON_SITE = "on_site", _("on-site")
    OFF_SITE = "off_site", _("off-site")


class Confirmation(models.TextChoices):
    """The enterprise's answer to its on-site record."""
    PENDING = "pending", _("awaiting the enterprise's confirmation")
    CONFIRMED = "confirmed", _("confirmed by the enterprise")
    DISPUTED = "disputed", _("disputed by the enterprise")


class Inspection(models.Model):
    class Basis(models.TextChoices):
        """What an off-site inspection looked at."""
        ONLINE_DATA = "online_data", _("online monitoring data")
        REPORTS = "reports", _("execution reports and ledgers")
        VIDEO = "video", _("video surveillance")
        SELF_CHECK = "self_check", _("the enterprise's self-checks")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="inspections",
                                   verbose_name=_("enterprise"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, db_index=True)
    planned = models.OneToOneField("enforcement.PlannedInspection", models.SET_NULL, null=True, blank=True,
                                   related_name="inspection", verbose_name=_("planned inspection"))
    round = models.OneToOneField(Round, models.PROTECT, null=True, blank=True, related_name="inspection",
                                 verbose_name=_("checklist round"))
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="enforcement_inspections",
                                      verbose_name=_("officers"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    started_at = models.DateTimeField(_("started at"), db_index=True)
    ended_at = models.DateTimeField(_("ended at"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    basis = models.JSONField(_("off-site basis"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    problems_found = models.PositiveIntegerField(_("problems found"), default=0)
    case_lead = models.BooleanField(_("case lead found"), default=False)
    confirmation = models.CharField(_("enterprise's confirmation"), max_length=10, choices=Confirmation.choices,
                                    default=Confirmation.PENDING)
    confirmed_by = models.CharField(_("confirmed for the enterprise by"), max_length=64, blank=True)
    confirmed_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                          related_name="+", verbose_name=_("answered by (account)"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(name="inspection_on_site_has_round",
                                   condition=Q(mode="off_site", round__isnull=True)
                                   | Q(mode="on_site", round__isnull=False)),
            models.CheckConstraint(name="inspection_ends_after_start", condition=Q(ended_at__gte=models.F("started_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.enterprise} {self.started_at:%Y-%m-%d}"


class OffSiteLine(models.Model):
    """One line of an off-site inspection: one kind of evidence reviewed, what the officer found in it;
    a problem opens its own work order."""

    class Result(models.TextChoices):
        OK = "ok", _("no problem")
        PROBLEM = "problem", _("problem found")

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="off_site_lines",
                                   verbose_name=_("inspection"))
    basis = models.CharField(_("evidence reviewed"), max_length=16, choices=Inspection.Basis.choices)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    note = models.TextField(_("finding"), blank=True)
    work_order = models.ForeignKey(WorkOrder, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("work order"))

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("off-site inspection line")
        verbose_name_plural = _("off-site inspection lines")
        constraints = [models.UniqueConstraint(fields=["inspection", "basis"], name="one_off_site_line_per_basis")]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.get_result_display()}"
