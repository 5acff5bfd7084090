"""Role checks of the API. Jurisdiction (which rows) is applied by ``JurisdictionMixin`` through
``enterprises.jurisdiction.restrict``; these classes decide which roles may use an endpoint at all.

Objects outside a user's jurisdiction are never fetched: viewsets build ``get_queryset`` from
``restrict`` so a guessed id of another enterprise's object answers 404, not 403.
"""
from rest_framework.permissions import BasePermission

from enterprises import jurisdiction
from enterprises.models import Role

STAFF_ROLES = frozenset({Role.BUREAU, Role.ENFORCEMENT, Role.TOWNSHIP, Role.GRID})


def has_role(user, *roles) -> bool:
    """Is ``user`` an active, authenticated user with one of ``roles`` (superusers count as bureau)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in roles or (user.is_superuser and Role.BUREAU in roles)


def roles(*allowed: str) -> type[BasePermission]:
    """A permission class admitting only users whose role is in ``allowed``."""

    class HasRole(BasePermission):
        message = "Your role may not use this endpoint."

        def has_permission(self, request, view) -> bool:
            return has_role(request.user, *allowed)

    HasRole.__name__ = "HasRole_" + "_".join(sorted(allowed))
    return HasRole


IsStaff = roles(*STAFF_ROLES)
IsCountyWide = roles(Role.BUREAU, Role.ENFORCEMENT)
IsBureau = roles(Role.BUREAU)
IsEnterprise = roles(Role.ENTERPRISE)


class JurisdictionMixin:
    """For (read-only or action) viewsets: ``base_queryset()`` cut down by ``restrict`` along
    ``jurisdiction_path`` (``""`` for Enterprise itself, ``"enterprise"`` by default)."""

    jurisdiction_path = "enterprise"

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.queryset.none()
        return jurisdiction.restrict(self.base_queryset(), self.request.user, self.jurisdiction_path)
