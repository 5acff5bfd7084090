"""The indicator catalogue, kept as data: indicators (code, name, group, weight, rule and parameters,
source) and the colour bands (score thresholds and what each colour means for the enterprise).

Bureau staff tune both in the admin. Every change is captured as a ``CatalogueVersion``: a numbered,
immutable snapshot of the whole catalogue with who changed it and when; every score names the version
it was computed with (``ecocode.services.catalogue``).
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    """The five colours, best first."""

    GREEN = "green", _("green")
    BLUE = "blue", _("blue")
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")
    GREY = "grey", _("insufficient data")

    @classmethod
    def scored(cls) -> list[str]:
        """The five colours of a score, best first (grey is the absence of one)."""
        return [c for c in cls.values if c != cls.GREY]


class Group(models.TextChoices):
    REPORTS = "reports", _("permit execution reports")
    SELF_MONITORING = "self_monitoring", _("self-monitoring")
    MANAGEMENT = "management", _("day-to-day environmental management")


class Indicator(models.Model):
    """One of the catalogue's indicators: how many points it can cost and the rule that decides it."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices, db_index=True)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
                                 help_text=_("The most points this indicator can cost."))
    rule = models.CharField(_("rule"), max_length=48,
                            help_text=_("The rule that scores it (a rule of ecocode.rules)."))
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    source = models.CharField(_("data source"), max_length=200)
    weight_source = models.CharField(_("source of the weight"), max_length=200, blank=True,
                                     help_text=_("The regulation or bureau decision that sets this weight."))
    competes = models.CharField(_("competes for the same fact"), max_length=32, blank=True,
                                help_text=_("Indicators with the same key charge one episode once: the one with "
                                            "the lowest precedence charges it, the others record it as already "
                                            "charged."))
    precedence = models.PositiveSmallIntegerField(_("precedence"), default=0,
                                                  help_text=_("Among competing indicators, 1 is the most precise."))
    colour_cap = models.CharField(_("best colour when triggered"), max_length=8, choices=Colour.choices, blank=True,
                                  help_text=_("If set, an enterprise that loses points here is at best this "
                                              "colour (a veto indicator)."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        from ..rules import check_params

        try:
            check_params(self.rule, self.params)
        except ValueError as exc:
            raise ValidationError({"params": str(exc)}) from exc


class ColourBand(models.Model):
    """A colour, the lowest score that earns it, and its consequences (read by inspections,
    penalties and subsidies through ``ecocode.selectors.consequences``)."""

    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, unique=True)
    min_score = models.DecimalField(_("lowest score"), max_digits=5, decimal_places=2,
                                    validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    inspections_per_year = models.PositiveSmallIntegerField(_("on-site inspections per year"))
    penalty_discretion_factor = models.DecimalField(
        _("penalty discretion factor"), max_digits=4, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2"))],
        help_text=_("Multiplies the discretionary penalty amount (1.00 = standard)."))
    green_subsidy_eligible = models.BooleanField(_("eligible for green subsidies"))
    warning_only = models.BooleanField(_("warning-only measures"), default=False,
                                       help_text=_("Minor first violations get a warning and a deadline "
                                                   "instead of a penalty."))
    measures = models.TextField(_("measures"), blank=True)

    class Meta:
        ordering = ["-min_score"]
        verbose_name = _("colour band")
        verbose_name_plural = _("colour bands")

    def __str__(self) -> str:
        return f"{self.get_colour_display()} ≥ {self.min_score}"


class CatalogueVersion(models.Model):
    """An immutable snapshot of the whole catalogue (indicators and colour bands)."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return f"v{self.number}"
