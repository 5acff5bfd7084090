"""Permitted sources (enterprises) and the national economic industry classification."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import validate_credit_code
from .areas import Grid, Township, Village


class Industry(models.Model):
    """An industry of GB/T 4754-2017 (national economic industry classification)."""

    code = models.CharField(_("code"), max_length=5, unique=True,
                            validators=[RegexValidator(r"^[A-T]\d{2,4}$", _("A letter and 2-4 digits, e.g. C2614."))])
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ManagementClass(models.TextChoices):
    KEY = "key", _("key management")
    SIMPLIFIED = "simplified", _("simplified management")
    REGISTRATION = "registration", _("registration")


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", _("operating")
        SUSPENDED = "suspended", _("suspended production")
        CLOSED = "closed", _("closed")

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    name = models.CharField(_("name"), max_length=200, db_index=True)
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="enterprises", verbose_name=_("industry"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    township = models.ForeignKey(Township, models.PROTECT, related_name="enterprises", verbose_name=_("township"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="enterprises", verbose_name=_("village"),
                                null=True, blank=True)
    grid = models.ForeignKey(Grid, models.PROTECT, related_name="enterprises", verbose_name=_("grid"),
                             null=True, blank=True)
    management_class = models.CharField(_("permit management class"), max_length=16,
                                        choices=ManagementClass.choices, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    contact_name = models.CharField(_("environmental contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPERATING,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["township", "management_class"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            errors["village"] = _("The village is not in the enterprise's township.")
        if self.grid_id and self.township_id and self.grid.township_id != self.township_id:
            errors["grid"] = _("The grid is not in the enterprise's township.")
        if errors:
            raise ValidationError(errors)
