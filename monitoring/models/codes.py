"""What a device sends that the code table does not settle: per-device code mappings and held values.

``CodeMapping`` maps a code as one device sends it (a vendor code, a truncated code, a 2005 code that
means something else on this device) to a pollutant; it wins over the code table. ``HeldValue`` keeps
each item of a stored packet that could not be counted as a reading (a code nobody mapped yet, a value
that is not a number) exactly as sent, so staff can map it and ``recount_held`` can count it later.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Pollutant

from .readings import DataKind, Device


class CodeMapping(models.Model):
    """A code as sent by one device → the pollutant it means on that device."""

    device = models.ForeignKey(Device, models.CASCADE, related_name="code_mappings", verbose_name=_("device"))
    code = models.CharField(_("code as sent"), max_length=32)
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="+", verbose_name=_("pollutant"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("mapped by"))
    created_at = models.DateTimeField(_("mapped at"))

    class Meta:
        ordering = ["device", "code"]
        verbose_name = _("device code mapping")
        verbose_name_plural = _("device code mappings")
        constraints = [models.UniqueConstraint(fields=["device", "code"], name="one_mapping_per_device_code")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} → {self.pollutant_id}"


class HeldValue(models.Model):
    """One item of a stored packet that does not count (yet), with its values as sent."""

    class Problem(models.TextChoices):
        UNKNOWN_CODE = "unknown_code", _("code not in the code table")
        BAD_VALUE = "bad_value", _("value that cannot be read")
        BAD_TIME = "bad_time", _("missing or implausible data time")

    device = models.ForeignKey(Device, models.CASCADE, related_name="held_values", verbose_name=_("device"))
    code = models.CharField(_("code as sent"), max_length=32)
    kind = models.CharField(_("data kind"), max_length=8, choices=DataKind.choices)
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    values = models.JSONField(_("values as sent"), default=dict)
    problem = models.CharField(_("problem"), max_length=16, choices=Problem.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"))
    counted_at = models.DateTimeField(_("counted as a reading at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("held value")
        verbose_name_plural = _("held values")
        indexes = [models.Index(fields=["device", "code"], name="held_device_code_idx",
                                condition=models.Q(counted_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} {self.get_problem_display()}"
