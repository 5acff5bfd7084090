"""REST views of enterprises, permits and outlets (read-only, by jurisdiction)."""
from rest_framework import filters

from ..models import Enterprise, Outlet, Permit
from .serializers import EnterpriseSerializer, OutletSerializer, PermitSerializer
from .viewsets import ReadOnlyViewSet


class EnterpriseViewSet(ReadOnlyViewSet):
    """Enterprises of my jurisdiction."""

    queryset = Enterprise.objects.select_related("industry", "township")
    serializer_class = EnterpriseSerializer
    jurisdiction_path = ""
    filterset_fields = ["township", "grid", "village", "management_class", "status"]
    filter_backends = [*ReadOnlyViewSet.filter_backends, filters.SearchFilter]
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code", "id"]
    ordering = ["name"]


class PermitViewSet(ReadOnlyViewSet):
    """Discharge permits of the enterprises of my jurisdiction."""

    queryset = Permit.objects.all()
    serializer_class = PermitSerializer
    filterset_fields = ["enterprise", "status", "management_class"]
    ordering_fields = ["issued_on", "expires_on", "number", "id"]
    ordering = ["-issued_on"]


class OutletViewSet(ReadOnlyViewSet):
    """Discharge outlets (with their permitted limits) of the enterprises of my jurisdiction."""

    queryset = Outlet.objects.select_related("enterprise").prefetch_related("limits__pollutant")
    serializer_class = OutletSerializer
    filterset_fields = ["enterprise", "permit", "kind", "online_monitored", "is_main"]
    filter_backends = [*ReadOnlyViewSet.filter_backends, filters.SearchFilter]
    search_fields = ["enterprise__name", "code", "name", "enterprise__credit_code"]
    ordering_fields = ["code", "id"]
    ordering = ["enterprise", "code"]
