"""Violations: a completed averaging period of a permit limit whose average broke it.

An ``Exceedance`` is a fact about a period (the day's average of a daily limit, the hour's of an hourly
one, any value of an instantaneous one), recorded once the period is over, apart from the early
warning (``Alert``) that may have told the enterprise while the period was running. Eco-code and
reports count these, never the warnings. An exceedance whose data an operator's record later makes
invalid (a failed comparison test, a fault filed late) is judged again on the valid data left; when it no
longer breaks its limit it is withdrawn (``withdrawn_at`` and why), kept for the history and counted by
nothing (``Exceedance.standing``).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import AveragingPeriod, Enterprise, Outlet, Pollutant

from monitoring.models import DataKind


class ExceedanceQuerySet(models.QuerySet):
    def standing(self) -> "ExceedanceQuerySet":
        """The exceedances that count: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Exceedance(models.Model):
    class Withdrawal(models.TextChoices):
        NO_VALID_DATA = "no_valid_data", _("no valid data left in the period")
        WITHIN_LIMIT = "within_limit", _("within the limit on the valid data left")

    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="exceedances", verbose_name=_("outlet"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="exceedances",
                                   verbose_name=_("enterprise"))
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="+", verbose_name=_("pollutant"))
    averaging_period = models.CharField(_("averaging period"), max_length=16, choices=AveragingPeriod.choices)
    start = models.DateTimeField(_("period start"))
    end = models.DateTimeField(_("period end"))
    value = models.FloatField(_("value"), help_text=_("The period's average (an instantaneous limit: the worst value)."))
    limit_value = models.FloatField(_("limit"))
    lower_limit = models.FloatField(_("lower limit"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    valid_count = models.PositiveIntegerField(_("valid values"))
    built_from = models.CharField(_("built from"), max_length=8, choices=DataKind.choices)
    alert = models.ForeignKey("alerts.Alert", models.SET_NULL, null=True, blank=True, related_name="exceedances",
                              verbose_name=_("warning"))
    recorded_at = models.DateTimeField(_("recorded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=16, choices=Withdrawal.choices, blank=True)

    objects = ExceedanceQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "outlet"]
        verbose_name = _("exceedance")
        verbose_name_plural = _("exceedances")
        constraints = [models.UniqueConstraint(fields=["outlet", "pollutant", "averaging_period", "start"],
                                               name="one_exceedance_per_period")]
        indexes = [models.Index(fields=["enterprise", "start"], name="exceedance_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.pollutant_id} {self.averaging_period} {self.start:%Y-%m-%d %H:%M}"
