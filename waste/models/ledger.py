"""The producer's ledger (台账) as declared: per category and month, what was generated, what was shipped
and what is in store at the month's end (tonnes). ``waste.selectors.ledger`` sets it beside the manifests."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .catalogue import WasteCategory

ZERO = Decimal("0")


class LedgerEntry(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="waste_ledger",
                                   verbose_name=_("enterprise"))
    category = models.ForeignKey(WasteCategory, models.PROTECT, related_name="+", verbose_name=_("waste category"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    generated_t = models.DecimalField(_("generated (t)"), max_digits=12, decimal_places=3, default=ZERO,
                                      validators=[MinValueValidator(ZERO)])
    shipped_t = models.DecimalField(_("shipped as declared (t)"), max_digits=12, decimal_places=3, default=ZERO,
                                    validators=[MinValueValidator(ZERO)])
    stored_t = models.DecimalField(_("in store at month end (t)"), max_digits=12, decimal_places=3, default=ZERO,
                                   validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["enterprise", "category", "month"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.UniqueConstraint(fields=["enterprise", "category", "month"],
                                               name="one_ledger_entry_per_month"),
                       models.CheckConstraint(condition=models.Q(month__day=1), name="ledger_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.category_id} {self.month:%Y-%m}"
