"""What the platform asks a data logger to do: for now, to send again the history of a data gap (补传).

When a device goes missing, the warning cycle asks for its history from its last data on (``reason``); the
request waits until the logger is connected to an HJ 212 server, which sends it (CN 2051 or 2061 with
``BeginTime`` and ``EndTime``: the gap up to the moment it is sent) and the logger answers on the same
connection: CN 9011 (``QnRtn``, ready or refused), the data, then CN 9012 (``ExeRtn``). The data are
ordinary uploads, stored once like any other.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .readings import Device


class DeviceCommand(models.Model):
    class Reason(models.TextChoices):
        MISSING_DATA = "missing_data", _("missing data")

    device = models.ForeignKey(Device, models.CASCADE, related_name="commands", verbose_name=_("device"))
    cn = models.CharField(_("command (CN)"), max_length=4)
    begin_at = models.DateTimeField(_("history from"))
    end_at = models.DateTimeField(_("history until"), null=True, blank=True,
                                  help_text=_("Set when sent: the gap up to that moment."))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    qn = models.CharField(_("request number (QN)"), max_length=24, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    qn_rtn = models.SmallIntegerField(_("reply (QnRtn)"), null=True, blank=True)
    exe_rtn = models.SmallIntegerField(_("result (ExeRtn)"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("device command")
        verbose_name_plural = _("device commands")
        constraints = [models.UniqueConstraint(fields=["device", "cn"], condition=Q(sent_at__isnull=True),
                                               name="devicecommand_one_waiting")]
        indexes = [models.Index(fields=["device", "qn"], name="devicecommand_qn_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} CN {self.cn} {self.begin_at:%Y-%m-%d %H:%M}"
