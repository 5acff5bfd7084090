"""Models of dispatch: work orders (工单) and public complaints."""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Township


class WorkOrder(models.Model):
    """A dispatched task. Named WorkOrder so it never clashes with Celery tasks."""

    class Source(models.TextChoices):
        ALERT = "alert", _("escalated warning")
        COMPLAINT = "complaint", _("public complaint")
        PATROL = "patrol", _("patrol finding")
        INSPECTION = "inspection", _("inspection finding")
        SELF_CHECK = "self_check", _("self-check finding")
        STATION = "station", _("monitoring-station anomaly")
        MANUAL = "manual", _("opened by staff")

    class State(models.TextChoices):
        DISCOVERED = "discovered", _("discovered")
        DISPATCHED = "dispatched", _("dispatched")
        ACCEPTED = "accepted", _("accepted")
        HANDLING = "handling", _("handling")
        FED_BACK = "fed_back", _("fed back")
        REVIEWED = "reviewed", _("reviewed")
        CLOSED = "closed", _("closed")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, null=True, blank=True, related_name="work_orders",
                                   verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="work_orders", verbose_name=_("township"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, db_index=True)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True,
                                  help_text=_("What opened it, e.g. alert:42; opening twice returns the first."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DISCOVERED,
                             db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="opened_work_orders", verbose_name=_("opened by"))

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], condition=~Q(source_ref=""),
                                    name="work_order_unique_source_ref"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


def complaint_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(models.Model):
    """A complaint from the public (QR page or complaint form); it becomes a work order."""

    class Channel(models.TextChoices):
        QR = "qr", _("QR code page")
        WEB = "web", _("public complaint form")
        HOTLINE = "hotline", _("hotline (entered by staff)")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, null=True, blank=True, related_name="complaints",
                                   verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="complaints", verbose_name=_("township"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("complaint"))
    photo = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/", null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    access_token = models.CharField(_("private status token"), max_length=64, unique=True, default=complaint_token)
    work_order = models.OneToOneField(WorkOrder, models.SET_NULL, null=True, blank=True, related_name="complaint",
                                      verbose_name=_("work order"))
    created_at = models.DateTimeField(_("filed at"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.text[:40]
