"""Periods in which a device's data are invalid by a record kept outside monitoring: the operating company's
failed calibration or comparison test (until the next one passed), a fault (until it is repaired). The record
(``source``, ``source_id``: e.g. ``enforcement.devicecheck`` 17) is written by the app that keeps it, through
``monitoring.services.validity``; monitoring knows nothing of that app. A reading of the device observed in
[starts_at, ends_at) is invalid whatever its flag: it counts as a reading of its window, not as a valid one
(HJ 75 / HJ 356: such data are no valid hours and no value to judge a limit on). An open period
(``ends_at`` empty) runs until it is closed."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .readings import Device


class InvalidPeriod(models.Model):
    class Reason(models.TextChoices):
        CALIBRATION = "calibration", _("failed calibration")
        COMPARISON = "comparison", _("failed comparison test")
        FAULT = "fault", _("device fault")

    device = models.ForeignKey(Device, models.PROTECT, related_name="invalid_periods", verbose_name=_("device"))
    starts_at = models.DateTimeField(_("invalid from"))
    ends_at = models.DateTimeField(_("invalid until"), null=True, blank=True,
                                   help_text=_("Empty while the period is open."))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    source = models.CharField(_("source record kind"), max_length=40)
    source_id = models.BigIntegerField(_("source record id"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["device_id", "starts_at"]
        verbose_name = _("invalid data period")
        verbose_name_plural = _("invalid data periods")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="invalidperiod_one_per_record"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                                   name="invalidperiod_ends_after_start"),
        ]
        indexes = [models.Index(fields=["device", "starts_at"], name="invalidperiod_device_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.reason} {self.starts_at:%Y-%m-%d %H:%M}–" \
               f"{f'{self.ends_at:%Y-%m-%d %H:%M}' if self.ends_at else '…'}"
