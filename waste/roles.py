"""Who a user is to a manifest: its producer, carrier or receiver (through their enterprise accounts),
or staff with jurisdiction over the producer. Each party signs only its own part."""
from enterprises.jurisdiction import can_access_enterprise
from enterprises.models import Role

PRODUCER, CARRIER, RECEIVER, STAFF = "producer", "carrier", "receiver", "staff"


def parties(user, manifest) -> set[str]:
    """The parts ``user`` plays for ``manifest`` (empty: none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.role == Role.ENTERPRISE:
        out = set()
        if user.enterprise_id == manifest.producer_id:
            out.add(PRODUCER)
        if user.enterprise_id == manifest.carrier_id:
            out.add(CARRIER)
        if user.enterprise_id == manifest.receiver.operator_id:
            out.add(RECEIVER)
        return out
    return {STAFF} if can_access_enterprise(user, manifest.producer) else set()
