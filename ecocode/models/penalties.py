"""Administrative penalty decisions (行政处罚决定), entered by bureau staff until a cases app exists."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class Penalty(models.Model):
    class Reason(models.TextChoices):
        EXCESS_EMISSION = "excess_emission", _("emission over the limit")
        NO_PERMIT = "no_permit", _("discharging without or beyond the permit")
        MONITORING = "monitoring", _("self-monitoring not done or data falsified")
        FACILITY = "facility", _("treatment facility not run normally")
        SOLID_WASTE = "solid_waste", _("solid waste handled improperly")
        HAZARDOUS_WASTE = "hazardous_waste", _("hazardous waste handled improperly")
        RECORDS = "records", _("ledger or execution report violations")
        OTHER = "other", _("other")

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="penalties", verbose_name=_("enterprise"))
    decision_number = models.CharField(_("decision number"), max_length=64, unique=True)
    decided_on = models.DateField(_("decided on"), db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("penalty decision")
        verbose_name_plural = _("penalty decisions")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="penalty_amount_not_negative")]

    def __str__(self) -> str:
        return self.decision_number
