"""Warnings raised from monitoring data: ``Alert`` with its audit log ``AlertEvent``, the maintenance
windows (``Silence``) enterprises declare, and the admin-editable rule settings (``AlertSettings``).

One row of ``Alert`` is one problem of one outlet (and pollutant, where the rule is per pollutant) from
the moment it is seen until it is resolved or closed; repeated evidence of the same problem updates it.
"""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Outlet, Pollutant


class Rule(models.TextChoices):
    EXCEEDANCE = "exceedance", _("exceedance of the permit limit")
    NEAR_LIMIT = "near_limit", _("near the permit limit")
    MISSING_DATA = "missing_data", _("missing data")
    FLAT_LINE = "flat_line", _("constant or zero value")
    DEVICE_FLAG = "device_flag", _("device fault or maintenance flag")


#: Rules whose open alert on an outlet inhibits the dependent rules of the same outlet.
INHIBITING_RULES = (Rule.MISSING_DATA, Rule.DEVICE_FLAG)
#: Rules muted while an inhibiting alert of the same outlet is open.
INHIBITED_RULES = (Rule.EXCEEDANCE, Rule.NEAR_LIMIT)


class AlertState(models.TextChoices):
    OPENED = "opened", _("opened")
    NOTIFIED = "notified", _("notified")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed by staff")


OPEN_STATES = (AlertState.OPENED, AlertState.NOTIFIED, AlertState.ACKNOWLEDGED)


class AlertSettings(models.Model):
    """The rule settings of the county: one row (pk=1), edited by bureau staff in the admin."""

    near_limit_share = models.DecimalField(
        _("near-limit share"), max_digits=4, decimal_places=3, default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("0.999"))],
        help_text=_("A half-hour average at or above this share of the limit raises an early warning."))
    missing_data_minutes = models.PositiveIntegerField(
        _("missing data after (minutes)"), default=60, validators=[MinValueValidator(5)])
    flat_line_minutes = models.PositiveIntegerField(
        _("flat-line window (minutes)"), default=120, validators=[MinValueValidator(60)],
        help_text=_("Whole half-hours; the value must stay constant (or zero) over all of them."))
    flat_line_tolerance = models.DecimalField(
        _("flat-line tolerance (share of the limit)"), max_digits=6, decimal_places=5, default=Decimal("0.00100"),
        validators=[MinValueValidator(0)],
        help_text=_("Max minus min within this share of the limit counts as constant."))
    repeat_minutes = models.PositiveIntegerField(_("re-notify every (minutes)"), default=5,
                                                 validators=[MinValueValidator(1)])
    escalate_minutes = models.PositiveIntegerField(_("escalate to an alarm after (minutes)"), default=30,
                                                   validators=[MinValueValidator(1)])
    resolve_hold_minutes = models.PositiveIntegerField(
        _("clear for (minutes) before resolving"), default=60, validators=[MinValueValidator(0)],
        help_text=_("Flap damping: a warning resolves only after its condition stayed clear this long; "
                    "a recurrence within it continues the same warning."))
    max_silence_hours = models.PositiveIntegerField(_("longest maintenance window (hours)"), default=72,
                                                    validators=[MinValueValidator(1)])
    self_approved_silence_minutes = models.PositiveIntegerField(
        _("maintenance window without approval up to (minutes)"), default=120,
        help_text=_("Longer windows requested by an enterprise mute nothing until the township or the bureau "
                    "approves them."))

    class Meta:
        verbose_name = _("warning settings")
        verbose_name_plural = _("warning settings")

    def __str__(self) -> str:
        return str(_("warning settings"))

    @classmethod
    def current(cls) -> "AlertSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def repeat(self) -> timedelta:
        return timedelta(minutes=self.repeat_minutes)

    @property
    def escalate_after(self) -> timedelta:
        return timedelta(minutes=self.escalate_minutes)

    @property
    def resolve_hold(self) -> timedelta:
        return timedelta(minutes=self.resolve_hold_minutes)

    @property
    def missing_after(self) -> timedelta:
        return timedelta(minutes=self.missing_data_minutes)

    @property
    def max_silence(self) -> timedelta:
        return timedelta(hours=self.max_silence_hours)


class Silence(models.Model):
    """A maintenance window requested for an outlet: warnings are still recorded, but not notified and
    not escalated while it lasts, once approved. A short window (up to the settings'
    ``self_approved_silence_minutes``) or one declared by staff is approved at once; a longer one asked
    by an enterprise waits for the township or the bureau, and mutes nothing until then."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="silences", verbose_name=_("outlet"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="silences",
                                   verbose_name=_("enterprise"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("declared by"))
    created_at = models.DateTimeField(_("declared at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    status = models.CharField(_("approval"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("approved or rejected by"))
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="silence_ends_after_start")]
        indexes = [models.Index(fields=["outlet", "ends_at"], name="silence_outlet_end_idx")]

    def __str__(self) -> str:
        return f"{self.outlet} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    def is_active(self, at) -> bool:
        end = min(self.ends_at, self.cancelled_at) if self.cancelled_at else self.ends_at
        return self.starts_at <= at < end


class Alert(models.Model):
    """One problem of one outlet (and pollutant) from first sight to resolution."""

    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="alerts", verbose_name=_("outlet"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="alerts", verbose_name=_("enterprise"))
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, null=True, blank=True, related_name="alerts",
                                  verbose_name=_("pollutant"))
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.OPENED,
                             db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    clear_since = models.DateTimeField(_("clear since"), null=True, blank=True,
                                       help_text=_("The condition has been clear since then; resolves after the hold."))
    recurrences = models.PositiveIntegerField(_("recurrences while clearing"), default=0)
    value = models.FloatField(_("value"), null=True, blank=True)
    peak_value = models.FloatField(_("worst value"), null=True, blank=True)
    limit_value = models.FloatField(_("limit"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    muted = models.CharField(_("muted by"), max_length=16, blank=True,
                             help_text=_("silence or inhibition when the last evaluation muted it"))
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True,
                                       help_text=_("End of the last maintenance window that muted it; the "
                                                   "escalation clock restarts there."))
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
    resolved_message_sent = models.BooleanField(_("resolved message sent"), default=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
    close_reason = models.TextField(_("reason for closing"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(Coalesce("pollutant", 0), "outlet", "rule",
                                    condition=Q(state__in=["opened", "notified", "acknowledged"]),
                                    name="one_open_alert_per_problem"),
        ]
        indexes = [models.Index(fields=["enterprise", "state"], name="alert_enterprise_state_idx")]

    def __str__(self) -> str:
        pollutant = f" {self.pollutant.code}" if self.pollutant_id else ""
        return f"{self.outlet.code}{pollutant} {self.get_rule_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def source_ref(self) -> str:
        return f"alert:{self.pk}"

    @property
    def unit(self) -> str:
        """The unit of the value and the limit (the permit's, else the pollutant's); "" when dimensionless."""
        unit = self.evidence.get("unit") or (self.pollutant.unit if self.pollutant_id else "")
        return "" if unit == "无量纲" else unit

    @property
    def on_course_for(self) -> float | None:
        """The projected period average of an early warning whose average so far is within its limit but
        whose course is not (the reason it was raised), shown beside the value; else None."""
        projected, limit = self.evidence.get("projected"), self.evidence.get("limit")
        if self.rule != Rule.EXCEEDANCE or None in (projected, limit, self.value):
            return None
        lower = self.evidence.get("lower_limit")

        def broken(value: float) -> bool:
            return value > limit or (lower is not None and value < lower)

        return projected if broken(projected) and not broken(self.value) else None


class AlertEvent(models.Model):
    """Audit log: who or what did what to a warning or a maintenance window, and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        NOTIFIED = "notified", _("notified")
        RENOTIFIED = "renotified", _("notified again")
        MUTED = "muted", _("notification muted")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        ESCALATED = "escalated", _("escalated to an alarm")
        CLEARED = "cleared", _("condition clear")
        RECURRED = "recurred", _("condition back")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed by staff")
        SILENCE_DECLARED = "silence_declared", _("maintenance window declared")
        SILENCE_CANCELLED = "silence_cancelled", _("maintenance window cancelled")
        SILENCE_APPROVED = "silence_approved", _("maintenance window approved")
        SILENCE_REJECTED = "silence_rejected", _("maintenance window rejected")

    alert = models.ForeignKey(Alert, models.CASCADE, null=True, blank=True, related_name="events",
                              verbose_name=_("warning"))
    silence = models.ForeignKey(Silence, models.CASCADE, null=True, blank=True, related_name="events",
                                verbose_name=_("maintenance window"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("by"), help_text=_("Empty when the evaluation did it."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")
        constraints = [models.CheckConstraint(condition=Q(alert__isnull=False) | Q(silence__isnull=False),
                                              name="alert_event_has_subject")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
