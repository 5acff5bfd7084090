"""Small builders for the enforcement tests: coloured enterprises and enforcement officers."""
from ecocode.models import EcoCode
from enforcement.models import OfficerCapacity
from enterprises.models import Role
from tests import factories as f


def coloured(colour: str, town=None, **fields):
    ent = f.enterprise(town, **fields)
    EcoCode.objects.update_or_create(enterprise=ent, defaults={"colour": colour})
    return ent


def officers(n: int, capacity: int | None = None) -> list:
    users = [f.user(Role.ENFORCEMENT) for _ in range(n)]
    if capacity is not None:
        OfficerCapacity.objects.bulk_create(OfficerCapacity(officer=u, per_month=capacity) for u in users)
    return users
