"""Emissions an execution report declares (申报排放量), per pollutant: what the report-versus-monitoring
consistency rule compares with the monitored cumulative emissions (``Reading.cou``) of the period."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import ExecutionReport, Pollutant


class ReportedEmission(models.Model):
    report = models.ForeignKey(ExecutionReport, models.CASCADE, related_name="emissions",
                               verbose_name=_("execution report"))
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="+", verbose_name=_("pollutant"))
    amount_kg = models.DecimalField(_("reported emission (kg)"), max_digits=14, decimal_places=3,
                                    validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("reported emission")
        verbose_name_plural = _("reported emissions")
        constraints = [
            models.UniqueConstraint(fields=["report", "pollutant"], name="one_reported_emission_per_pollutant"),
            models.CheckConstraint(condition=models.Q(amount_kg__gte=0), name="reported_emission_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.pollutant_id} {self.amount_kg} kg"
