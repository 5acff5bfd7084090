"""What may be shipped and who may take it: the waste catalogue (general industrial solid waste by its
SW category, hazardous waste by its code in the National Hazardous Waste List), the receiving facilities
and their permits per category."""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class WasteKind(models.TextChoices):
    GENERAL = "general", _("general industrial solid waste")
    HAZARDOUS = "hazardous", _("hazardous waste")


class WasteCategory(models.Model):
    """One line of the catalogue: ``SW02`` 粉煤灰, or ``900-249-08`` (class HW08) 废矿物油..."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=WasteKind.choices)
    klass = models.CharField(_("class"), max_length=4, db_index=True, help_text=_("SW01…SW59 or HW01…HW50"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("waste category")
        verbose_name_plural = _("waste categories")

    def __str__(self) -> str:
        if self.kind == WasteKind.HAZARDOUS:
            return f"{self.klass} {self.code} {self.name}"
        return f"{self.code} {self.name}"


class Facility(models.Model):
    """A receiving facility (a power plant burning solid waste, a licensed hazardous-waste disposer...),
    run by an enterprise whose accounts sign the receipt."""

    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(Enterprise, models.PROTECT, related_name="waste_facilities",
                                 verbose_name=_("operating enterprise"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        ordering = ["name"]
        verbose_name = _("receiving facility")
        verbose_name_plural = _("receiving facilities")

    def __str__(self) -> str:
        return self.name


class ReceiverPermit(models.Model):
    """The facility may receive ``category`` from ``valid_from`` until ``valid_until`` (a hazardous-waste
    business licence, or the approval of a general-solid-waste use)."""

    facility = models.ForeignKey(Facility, models.CASCADE, related_name="permits", verbose_name=_("facility"))
    category = models.ForeignKey(WasteCategory, models.PROTECT, related_name="+", verbose_name=_("waste category"))
    number = models.CharField(_("permit number"), max_length=40)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    annual_capacity_t = models.DecimalField(_("annual capacity (t)"), max_digits=12, decimal_places=3, null=True,
                                            blank=True)

    class Meta:
        ordering = ["facility", "category"]
        verbose_name = _("receiver permit")
        verbose_name_plural = _("receiver permits")
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                              name="receiver_permit_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.facility} {self.category.code} {self.number}"


def in_force_q(on) -> Q:
    """A Q on ReceiverPermit rows in force on date ``on``."""
    return Q(valid_from__lte=on, valid_until__gte=on) & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
