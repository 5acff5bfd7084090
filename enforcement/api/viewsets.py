"""Base classes of the API's views: standard pagination
and jurisdiction-restricted querysets (the schema class is set in settings)."""
from rest_framework import mixins, viewsets

from .pagination import StandardPagination
from .permissions import JurisdictionMixin


class ApiMixin:
    pagination_class = StandardPagination


class ReadOnlyViewSet(ApiMixin, JurisdictionMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of the rows the user's jurisdiction covers; others answer 404."""


class ActionViewSet(ApiMixin, JurisdictionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """Like ``ReadOnlyViewSet``, for resources that add write actions (each calling a service)."""
