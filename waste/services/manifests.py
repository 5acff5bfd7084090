"""Writes of the transfer manifest: drafting and each party's signature moving it through its states.

drafted → (producer signs) → departed (carrier signs the pickup) → arrived (carrier or receiver) →
received (receiver confirms the quantity) or refused (receiver, with a reason) → closed (producer or
staff). Each move checks the user's part (``waste.roles``), the state and the data, and is recorded
as a ``ManifestEvent``; an illegal move raises ``ValidationError`` or ``PermissionDenied``.
"""
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock

from ..models import Manifest, ManifestEvent, ManifestState, ReceiverPermit, in_force_q
from ..roles import CARRIER, PRODUCER, RECEIVER, STAFF, parties

S = ManifestState


def receiver_permitted(*, facility, category, on) -> bool:
    return ReceiverPermit.objects.filter(in_force_q(on), facility=facility, category=category).exists()


def _record(manifest: Manifest, action: str, from_state: str, user, now, note: str = "") -> None:
    ManifestEvent.objects.create(manifest=manifest, action=action, from_state=from_state, to_state=manifest.state,
                                 at=now, actor=user, note=note)


def manifest_draft(*, user, producer, category, quantity: Decimal, unit: str, packaging: str, carrier, vehicle,
                   receiver, planned_departure, planned_arrival, number: str = "") -> Manifest:
    """The producer drafts a manifest. The receiver must be permitted for the category on the planned
    departure day and the vehicle must belong to the carrier."""
    if not (user.role == "enterprise" and user.enterprise_id == producer.pk):
        raise PermissionDenied(_("Only the producing enterprise's accounts draft its manifests."))
    errors = {}
    if vehicle.carrier_id != carrier.pk:
        errors["vehicle"] = _("The vehicle does not belong to the carrier.")
    if planned_arrival <= planned_departure:
        errors["planned_arrival"] = _("The planned arrival must come after the planned departure.")
    if not receiver_permitted(facility=receiver, category=category, on=planned_departure.date()):
        errors["receiver"] = _("The receiving facility holds no permit for this waste category on that day.")
    if quantity is None or quantity <= 0:
        errors["quantity"] = _("The quantity must be positive.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    with transaction.atomic():
        manifest = Manifest.objects.create(
            number=number or f"{now:%Y%m%d}{secrets.randbelow(10 ** 8):08d}", producer=producer, category=category,
            quantity=quantity, unit=unit, packaging=packaging, carrier=carrier, vehicle=vehicle, receiver=receiver,
            planned_departure=planned_departure, planned_arrival=planned_arrival, created_at=now)
        _record(manifest, "draft", "", user, now)
    return manifest


def _move(manifest: Manifest, user, *, action: str, part: set[str], from_states: tuple, to_state: str | None,
          fields: dict, note: str = "") -> Manifest:
    now = clock.now()
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update(of=("self",)).select_related("receiver", "producer") \
            .get(pk=manifest.pk)
        if not (parties(user, manifest) & part):
            raise PermissionDenied(_("You may not sign this part of the manifest."))
        if manifest.state not in from_states:
            raise ValidationError(_("This step is not possible in the manifest's state (%(state)s).")
                                  % {"state": manifest.get_state_display()})
        previous = manifest.state
        for name, value in fields.items():
            setattr(manifest, name, now if value is clock else value)
        if to_state:
            manifest.state = to_state
        manifest.save(update_fields=[*fields, "state"])
        _record(manifest, action, previous, user, now, note)
    return manifest


def manifest_sign(manifest: Manifest, *, user) -> Manifest:
    """The producer signs the drafted manifest (required before the carrier may take the load)."""
    return _move(manifest, user, action="sign", part={PRODUCER}, from_states=(S.DRAFTED,), to_state=None,
                 fields={"producer_signed_by": user, "producer_signed_at": clock})


def manifest_depart(manifest: Manifest, *, user, at=None) -> Manifest:
    """The carrier signs the pickup: the load leaves (at ``at``, default now)."""
    if not Manifest.objects.filter(pk=manifest.pk, producer_signed_at__isnull=False).exists():
        raise ValidationError(_("The producer has not signed the manifest yet."))
    now = clock.now()
    if at is not None and at > now:
        raise ValidationError(_("The departure cannot lie in the future."))
    return _move(manifest, user, action="depart", part={CARRIER}, from_states=(S.DRAFTED,), to_state=S.DEPARTED,
                 fields={"departed_at": at or now, "carrier_signed_by": user})


def manifest_arrive(manifest: Manifest, *, user, at=None) -> Manifest:
    now = clock.now()
    at = at or now
    if at > now or (manifest.departed_at and at < manifest.departed_at):
        raise ValidationError(_("The arrival must lie between the departure and now."))
    return _move(manifest, user, action="arrive", part={CARRIER, RECEIVER}, from_states=(S.DEPARTED,),
                 to_state=S.ARRIVED, fields={"arrived_at": at})


def manifest_receive(manifest: Manifest, *, user, quantity: Decimal) -> Manifest:
    """The receiver confirms the quantity it weighed (in the manifest's unit)."""
    if quantity is None or quantity < 0:
        raise ValidationError({"quantity": _("The quantity received cannot be negative.")})
    return _move(manifest, user, action="receive", part={RECEIVER}, from_states=(S.ARRIVED,), to_state=S.RECEIVED,
                 fields={"received_quantity": quantity, "received_at": clock, "receiver_signed_by": user})


def manifest_refuse(manifest: Manifest, *, user, reason: str) -> Manifest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A refusal needs a reason.")})
    return _move(manifest, user, action="refuse", part={RECEIVER}, from_states=(S.ARRIVED,), to_state=S.REFUSED,
                 fields={"refusal_reason": reason, "received_at": clock, "receiver_signed_by": user}, note=reason)


def manifest_close(manifest: Manifest, *, user, note: str = "") -> Manifest:
    return _move(manifest, user, action="close", part={PRODUCER, STAFF}, from_states=(S.RECEIVED, S.REFUSED),
                 to_state=S.CLOSED, fields={"closed_at": clock}, note=note)
