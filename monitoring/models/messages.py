"""What a device sends besides readings: the accepted uploads whose command carries no data we count.

A data logger's start-up time (CN 2081), its equipment running status and running times (CN 2021, 2041),
raw and calibration data (CN 2013, 2062), furnace-temperature means (CN 2111), a time-calibration request
(CN 1013) and its replies to the platform's requests (CN 9011, 9012) are acknowledged like data and kept
here as sent, once: a resend of the same content is the same row (``digest``). Heartbeats (CN 9015) only
mark the device in contact (``Device.last_contact_at``, not its last data); they are not kept one by one.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .readings import Device

# The labels of the commands devices are known to send; another command shows its number.
COMMAND_LABELS = {
    "1013": _("time-calibration request"),
    "2013": _("raw monitoring data"),
    "2021": _("equipment running status"),
    "2041": _("daily equipment running time"),
    "2062": _("standard-sample check data"),
    "2081": _("data logger start-up"),
    "2111": _("furnace-temperature 5-minute mean"),
    "9011": _("reply to a platform request"),
    "9012": _("result of a platform request"),
}


class DeviceMessage(models.Model):
    device = models.ForeignKey(Device, models.CASCADE, related_name="messages", verbose_name=_("device"))
    cn = models.CharField(_("command (CN)"), max_length=4)
    qn = models.CharField(_("request number (QN)"), max_length=24, blank=True)
    observed_at = models.DateTimeField(_("data time"), null=True, blank=True)
    params = models.JSONField(_("parameters as sent"), default=dict)
    items = models.JSONField(_("items as sent"), default=dict)
    digest = models.CharField(_("content digest"), max_length=32)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("device message")
        verbose_name_plural = _("device messages")
        constraints = [models.UniqueConstraint(fields=["device", "cn", "digest"], name="devicemessage_once")]
        indexes = [models.Index(fields=["device", "-received_at"], name="devicemessage_device_idx"),
                   models.Index(fields=["received_at"], name="devicemessage_received_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} CN {self.cn} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def command_label(self) -> str:
        return str(COMMAND_LABELS.get(self.cn, _("command %(cn)s") % {"cn": self.cn}))
