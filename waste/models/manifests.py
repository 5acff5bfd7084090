"""The transfer manifest (转移联单) of one shipment and its recorded history.

States: drafted → departed → arrived → received or refused → closed. The producer drafts and signs the
manifest, the carrier signs the pickup (departure) and the arrival, the receiver confirms the quantity
it received or refuses the load with a reason; the producer (or bureau staff) closes it. Every change
is a ``ManifestEvent``; the moves themselves live in ``waste.services.manifests``.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .catalogue import Facility, WasteCategory
from .vehicles import Vehicle


class ManifestState(models.TextChoices):
    DRAFTED = "drafted", _("drafted")
    DEPARTED = "departed", _("departed")
    ARRIVED = "arrived", _("arrived")
    RECEIVED = "received", _("received")
    REFUSED = "refused", _("refused")
    CLOSED = "closed", _("closed")


class Unit(models.TextChoices):
    TONNE = "t", _("t")
    KILOGRAM = "kg", _("kg")


TONNES_PER_UNIT = {Unit.TONNE: Decimal("1"), Unit.KILOGRAM: Decimal("0.001")}


class Packaging(models.TextChoices):
    BULK = "bulk", _("bulk, covered truck")
    BAGS = "bags", _("ton bags")
    DRUMS = "drums", _("sealed drums")
    IBC = "ibc", _("IBC totes")
    TANK = "tank", _("tank truck")
    BOXES = "boxes", _("closed boxes")


class Manifest(models.Model):
    number = models.CharField(_("manifest number"), max_length=24, unique=True)
    producer = models.ForeignKey(Enterprise, models.PROTECT, related_name="waste_manifests",
                                 verbose_name=_("producer"))
    category = models.ForeignKey(WasteCategory, models.PROTECT, related_name="+", verbose_name=_("waste category"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3,
                                   validators=[MinValueValidator(Decimal("0.001"))])
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices, default=Unit.TONNE)
    packaging = models.CharField(_("packaging"), max_length=8, choices=Packaging.choices)
    carrier = models.ForeignKey(Enterprise, models.PROTECT, related_name="waste_carried", verbose_name=_("carrier"))
    vehicle = models.ForeignKey(Vehicle, models.PROTECT, related_name="manifests", verbose_name=_("vehicle"))
    receiver = models.ForeignKey(Facility, models.PROTECT, related_name="manifests",
                                 verbose_name=_("receiving facility"))
    planned_departure = models.DateTimeField(_("planned departure"))
    planned_arrival = models.DateTimeField(_("planned arrival"))
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received or refused at"), null=True, blank=True)
    received_quantity = models.DecimalField(_("quantity received"), max_digits=12, decimal_places=3, null=True,
                                            blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ManifestState.choices, default=ManifestState.DRAFTED,
                             db_index=True)
    producer_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("signed for the producer by"))
    producer_signed_at = models.DateTimeField(_("producer signed at"), null=True, blank=True)
    carrier_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("signed for the carrier by"))
    receiver_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("signed for the receiver by"))
    created_at = models.DateTimeField(_("drafted at"))

    class Meta:
        ordering = ["-planned_departure", "-id"]
        verbose_name = _("transfer manifest")
        verbose_name_plural = _("transfer manifests")
        constraints = [
            models.CheckConstraint(condition=Q(planned_arrival__gt=F("planned_departure")),
                                   name="manifest_arrival_after_departure"),
            models.CheckConstraint(condition=Q(arrived_at__isnull=True) | Q(departed_at__isnull=False,
                                                                             arrived_at__gte=F("departed_at")),
                                   name="manifest_arrives_after_it_departs"),
        ]
        indexes = [models.Index(fields=["vehicle", "departed_at"], name="manifest_vehicle_departed_idx"),
                   models.Index(fields=["producer", "state"], name="manifest_producer_state_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def quantity_t(self) -> Decimal:
        return self.quantity * TONNES_PER_UNIT[self.unit]


class ManifestEvent(models.Model):
    """One step of a manifest: who moved it from which state to which, when, with what note."""

    class Action(models.TextChoices):
        DRAFT = "draft", _("drafted by the producer")
        SIGN = "sign", _("signed by the producer")
        DEPART = "depart", _("pickup signed by the carrier")
        ARRIVE = "arrive", _("arrival at the receiver")
        RECEIVE = "receive", _("quantity confirmed by the receiver")
        REFUSE = "refuse", _("refused by the receiver")
        CLOSE = "close", _("closed")

    manifest = models.ForeignKey(Manifest, models.CASCADE, related_name="events", verbose_name=_("manifest"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=10, choices=ManifestState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=ManifestState.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("manifest event")
        verbose_name_plural = _("manifest events")

    def __str__(self) -> str:
        return f"{self.manifest_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
