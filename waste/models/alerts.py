"""Warnings about shipments (``WasteAlert``), their audit log and the county's transfer-check settings.

The ``alerts.Alert`` belongs to an outlet (and pollutant); a shipment warning belongs to a manifest,
so it has its own table with the same lifecycle (opened → notified → acknowledged → resolved, or closed
by staff), the same timing rules (``alerts.policy``) and the same timings (``alerts.AlertSettings``: how
often to re-notify, when to escalate, how long a condition stays clear before resolving), the same
notifications and the same escalation to a work order (``core.escalation``). One open warning per
(manifest, kind). ``TransferSettings`` holds only what the transfer checks measure.
"""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .manifests import Manifest


class WasteRule(models.TextChoices):
    TRAJECTORY_MISSING = "trajectory_missing", _("trajectory missing")
    ROUTE_DEVIATION = "route_deviation", _("route deviation")
    QUANTITY_MISMATCH = "quantity_mismatch", _("quantity mismatch")
    RECEIVER_NOT_PERMITTED = "receiver_not_permitted", _("receiver not permitted for the category")
    OVERDUE_ARRIVAL = "overdue_arrival", _("overdue arrival")
    REFUSED = "refused", _("refused at the receiver")


class WasteAlertState(models.TextChoices):
    OPENED = "opened", _("opened")
    NOTIFIED = "notified", _("notified")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed by staff")


OPEN_STATES = (WasteAlertState.OPENED, WasteAlertState.NOTIFIED, WasteAlertState.ACKNOWLEDGED)


class TransferSettings(models.Model):
    """The county's transfer-check settings: one row (pk=1), edited by bureau staff in the admin."""

    gap_minutes = models.PositiveIntegerField(
        _("trajectory gap allowed (minutes)"), default=15, validators=[MinValueValidator(1)],
        help_text=_("No position for longer than this during a shipment counts as a missing trajectory."))
    corridor_km = models.DecimalField(
        _("route corridor (km)"), max_digits=6, decimal_places=2, default=Decimal("5.00"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("A position farther than this from the straight line producer → receiver is a deviation."))
    stop_minutes = models.PositiveIntegerField(_("long stop (minutes)"), default=30, validators=[MinValueValidator(5)])
    stop_speed_kmh = models.DecimalField(_("standing below (km/h)"), max_digits=5, decimal_places=1,
                                         default=Decimal("3.0"), validators=[MinValueValidator(0)])
    site_radius_km = models.DecimalField(
        _("site radius (km)"), max_digits=5, decimal_places=2, default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.05"))],
        help_text=_("A stop this close to the producer or the receiver is loading or unloading."))
    quantity_tolerance = models.DecimalField(
        _("quantity tolerance (share)"), max_digits=4, decimal_places=3, default=Decimal("0.050"),
        validators=[MinValueValidator(0), MaxValueValidator(1)])
    arrival_grace_minutes = models.PositiveIntegerField(_("arrival grace (minutes)"), default=60)
    lookback_days = models.PositiveIntegerField(_("check shipments of the last (days)"), default=7,
                                                validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("transfer-check settings")
        verbose_name_plural = _("transfer-check settings")

    def __str__(self) -> str:
        return str(_("transfer-check settings"))

    @classmethod
    def current(cls) -> "TransferSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def gap(self) -> timedelta:
        return timedelta(minutes=self.gap_minutes)


class WasteAlert(models.Model):
    """One problem of one shipment from first sight to resolution."""

    manifest = models.ForeignKey(Manifest, models.CASCADE, related_name="alerts", verbose_name=_("manifest"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="waste_alerts",
                                   verbose_name=_("producer"))
    rule = models.CharField(_("rule"), max_length=24, choices=WasteRule.choices)
    state = models.CharField(_("state"), max_length=16, choices=WasteAlertState.choices,
                             default=WasteAlertState.OPENED, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    clear_since = models.DateTimeField(_("clear since"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    last_notified_at = models.DateTimeField(_("last notified at"), null=True, blank=True)
    notify_count = models.PositiveIntegerField(_("notifications sent"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("acknowledged by"))
    is_alarm = models.BooleanField(_("escalated to an alarm"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    work_order = models.ForeignKey("dispatch.WorkOrder", models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("work order"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
    close_reason = models.TextField(_("reason for closing"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("transfer warning")
        verbose_name_plural = _("transfer warnings")
        constraints = [models.UniqueConstraint(fields=["manifest", "rule"],
                                               condition=Q(state__in=["opened", "notified", "acknowledged"]),
                                               name="one_open_waste_alert_per_problem")]
        indexes = [models.Index(fields=["enterprise", "state"], name="waste_alert_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.manifest_id} {self.get_rule_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def source_ref(self) -> str:
        return f"waste-alert:{self.pk}"


class WasteAlertEvent(models.Model):
    """Audit log of a transfer warning."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        NOTIFIED = "notified", _("notified")
        RENOTIFIED = "renotified", _("notified again")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        ESCALATED = "escalated", _("escalated to an alarm")
        CLEARED = "cleared", _("condition clear")
        RECURRED = "recurred", _("condition back")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed by staff")

    alert = models.ForeignKey(WasteAlert, models.CASCADE, related_name="events", verbose_name=_("warning"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transfer warning event")
        verbose_name_plural = _("transfer warning events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
