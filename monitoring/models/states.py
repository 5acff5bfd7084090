"""What each analyser says of itself: the state codes of a CN 3020 upload that name their analyser.

``PolId=w21003;i12001-Info=3`` is the ammonia analyser calibrating: it concerns the readings of ammonia
nitrogen only, not the other pollutants of the outlet. One row per (device, analyser, code, time). The
states a logger sends without naming the analyser (data items such as ``i12001-Rtd``, or a 3020
upload without ``PolId``) are outlet-wide and stay readings of the state code.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Outlet, Pollutant

from .readings import Device


class InstrumentState(models.Model):
    device = models.ForeignKey(Device, models.CASCADE, related_name="+", verbose_name=_("device"))
    outlet = models.ForeignKey(Outlet, models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("outlet"))
    analyser = models.ForeignKey(Pollutant, models.PROTECT, related_name="+", verbose_name=_("analysed pollutant"))
    code = models.CharField(_("state code"), max_length=8)
    state = models.SmallIntegerField(_("state"))
    observed_at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("analyser state")
        verbose_name_plural = _("analyser states")
        constraints = [models.UniqueConstraint(fields=["device", "analyser", "code", "observed_at"],
                                               name="instrumentstate_once")]
        indexes = [models.Index(fields=["outlet", "observed_at"], name="instrumentstate_outlet_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.analyser_id} {self.code}={self.state} {self.observed_at:%Y-%m-%d %H:%M:%S}"
