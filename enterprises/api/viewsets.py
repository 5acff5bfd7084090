"""Viewset bases restricted to the user's jurisdiction (``enterprises.jurisdiction``)."""
from rest_framework import mixins, viewsets

from core.api.viewsets import ApiMixin

from ..permissions import JurisdictionMixin


class ReadOnlyViewSet(ApiMixin, JurisdictionMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of the rows the user's jurisdiction covers; others answer 404."""


class ActionViewSet(ApiMixin, JurisdictionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Like ``ReadOnlyViewSet``, for resources that add write actions (each calling a service)."""
