"""Third-party inspection records of automatic monitoring equipment (自动监测设备运维记录): the operator's
calibrations (校准), comparison tests against manual sampling (比对监测) and faults (故障). A failed
calibration or comparison test makes the device's data invalid until the next one passes; a fault until
it is resolved: monitoring's ``InvalidPeriod`` rows of source ``DEVICE_CHECK_SOURCE``, kept by
``enforcement.services.device_checks``."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from monitoring.models import Device

DEVICE_CHECK_SOURCE = "enforcement.devicecheck"  # InvalidPeriod.source of the periods these records open


class DeviceCheck(models.Model):
    class Kind(models.TextChoices):
        CALIBRATION = "calibration", _("calibration")
        COMPARISON = "comparison", _("comparison test")
        FAULT = "fault", _("fault")

    device = models.ForeignKey(Device, models.PROTECT, related_name="checks", verbose_name=_("monitoring device"))
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="device_checks",
                                   verbose_name=_("enterprise"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    operator = models.CharField(_("operating company"), max_length=100)
    performed_at = models.DateTimeField(_("performed at"), db_index=True)
    passed = models.BooleanField(_("passed"), default=True, help_text=_("A fault never passes."))
    findings = models.TextField(_("findings"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("monitoring equipment check")
        verbose_name_plural = _("monitoring equipment checks")
        constraints = [
            models.CheckConstraint(name="device_fault_never_passes", condition=~Q(kind="fault", passed=True)),
            models.CheckConstraint(name="device_check_resolved_faults_only",
                                   condition=Q(resolved_at__isnull=True) | Q(kind="fault")),
            models.CheckConstraint(name="device_fault_resolved_after_start",
                                   condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("performed_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.get_kind_display()} {self.performed_at:%Y-%m-%d}"
