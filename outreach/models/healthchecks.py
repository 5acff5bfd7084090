"""Steward health-check reports (一企一策): a ``HealthCheck`` of one enterprise by an environmental
steward (环保管家) or by staff, with the ``RemedyItem``s of its remedy plan (risk, measure, deadline),
tracked until each is done."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class HealthCheck(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="health_checks",
                                   verbose_name=_("enterprise"))
    checked_on = models.DateField(_("checked on"))
    steward = models.CharField(_("steward (company and person)"), max_length=200, blank=True,
                               help_text=_("Empty when staff did the check."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.checked_on}"


class RemedyItem(models.Model):
    class Severity(models.TextChoices):
        HIGH = "high", _("high risk")
        MEDIUM = "medium", _("medium risk")
        LOW = "low", _("low risk")

    health_check = models.ForeignKey(HealthCheck, models.CASCADE, related_name="items",
                                     verbose_name=_("health check"))
    risk = models.TextField(_("risk found"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    measure = models.TextField(_("remedy measure"))
    deadline = models.DateField(_("deadline"), db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("marked done by"))
    done_note = models.TextField(_("how it was done"), blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("remedy item")
        verbose_name_plural = _("remedy items")
        indexes = [models.Index(fields=["deadline"], condition=Q(done_at__isnull=True), name="remedy_open_idx")]

    def __str__(self) -> str:
        return self.measure[:60]
