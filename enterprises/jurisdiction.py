"""Jurisdiction rules: who may see and act on which enterprise. The one place for them.

Every view, API endpoint and selector that shows enterprise data filters with ``restrict`` and
checks single objects with ``can_access``. The rules:

* bureau staff, enforcement officers and superusers: the whole county;
* a township officer: the enterprises of his township;
* a grid officer: the enterprises of his grid;
* an enterprise account: its own enterprise only;
* anyone else (anonymous, inactive, unbound): nothing.
"""
from django.db.models import Model, Q, QuerySet

from .models import Enterprise, Role, Township

COUNTY_WIDE_ROLES = frozenset({Role.BUREAU, Role.ENFORCEMENT})
NOTHING = Q(pk__in=[])


def is_county_wide(user) -> bool:
    """True for users who see the whole county."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role in COUNTY_WIDE_ROLES


def is_bureau(user) -> bool:
    """True for bureau staff (and superusers): they configure the platform."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and (user.is_superuser or user.role == Role.BUREAU))


def enterprise_q(user, path: str = "") -> Q:
    """A Q selecting the enterprises ``user`` may see; ``path`` leads from the queried model to Enterprise
    (``""`` when querying Enterprise itself, ``"enterprise"`` or ``"outlet__enterprise"`` otherwise)."""
    prefix = f"{path}__" if path else ""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if is_county_wide(user):
        return Q()
    if user.role == Role.TOWNSHIP and user.township_id:
        return Q(**{f"{prefix}township_id": user.township_id})
    if user.role == Role.GRID and user.grid_id:
        return Q(**{f"{prefix}grid_id": user.grid_id})
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return Q(**{f"{prefix}id" if prefix else "pk": user.enterprise_id})
    return NOTHING


def restrict(queryset: QuerySet, user, path: str = "enterprise") -> QuerySet:
    """``queryset`` cut down to the rows whose enterprise (reached by ``path``) ``user`` may see.
    Use ``path=""`` for a queryset of Enterprise."""
    return queryset.filter(enterprise_q(user, path))


def visible_enterprises(user) -> QuerySet:
    return restrict(Enterprise.objects.all(), user, path="")


def visible_townships(user) -> QuerySet:
    """Townships whose data ``user`` may see in aggregate (dashboards, rankings)."""
    if is_county_wide(user):
        return Township.objects.all()
    if getattr(user, "is_authenticated", False) and user.is_active and user.township_id and \
            user.role in (Role.TOWNSHIP, Role.GRID):
        return Township.objects.filter(pk=user.township_id)
    return Township.objects.none()


def can_access(user, obj: Model, path: str = "enterprise") -> bool:
    """May ``user`` see ``obj``? ``obj`` is an Enterprise (``path=""``) or reaches one by ``path``."""
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).filter(enterprise_q(user, path)).exists()


def can_access_enterprise(user, enterprise: Enterprise) -> bool:
    """The same check for an Enterprise, without a query when the answer is plain."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_county_wide(user):
        return True
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise.pk
    if user.role == Role.TOWNSHIP:
        return user.township_id is not None and user.township_id == enterprise.township_id
    if user.role == Role.GRID:
        return user.grid_id is not None and user.grid_id == enterprise.grid_id
    return False
