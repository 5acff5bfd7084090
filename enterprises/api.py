"""REST resources of enterprises (read only): enterprises, their permits and outlets with limits.

Every queryset goes through ``enterprises.jurisdiction.restrict`` (via ``ReadOnlyViewSet``), so a user
lists and fetches only the enterprises of his jurisdiction; any other id answers 404.
"""
from rest_framework import filters, serializers

from enforcement.api.viewsets import ReadOnlyViewSet

from .models import Enterprise, Outlet, Permit, PermitLimit


class EnterpriseSerializer(serializers.ModelSerializer):
    industry_code = serializers.CharField(source="industry.code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "industry_code", "industry_name", "address", "latitude", "longitude",
                  "township", "township_name", "village", "grid", "management_class", "status",
                  "legal_representative", "contact_name", "contact_phone", "contact_email"]


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


class PermitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Permit
        fields = ["id", "enterprise", "number", "management_class", "issued_on", "valid_from", "expires_on", "status",
                  "issuing_authority"]


class PermitViewSet(ReadOnlyViewSet):
    """Discharge permits of the enterprises of my jurisdiction."""

    queryset = Permit.objects.all()
    serializer_class = PermitSerializer
    filterset_fields = ["enterprise", "status", "management_class"]
    ordering_fields = ["issued_on", "expires_on", "number", "id"]
    ordering = ["-issued_on"]


class LimitSerializer(serializers.ModelSerializer):
    pollutant_code = serializers.CharField(source="pollutant.code", read_only=True)
    pollutant_name = serializers.CharField(source="pollutant.name", read_only=True)
    limit_value = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)

    class Meta:
        model = PermitLimit
        fields = ["pollutant", "pollutant_code", "pollutant_name", "limit_value", "lower_limit", "unit",
                  "averaging_period", "standard"]


class OutletSerializer(serializers.ModelSerializer):
    limits = LimitSerializer(many=True, read_only=True)

    class Meta:
        model = Outlet
        fields = ["id", "enterprise", "permit", "code", "name", "kind", "is_main", "online_monitored", "latitude",
                  "longitude", "height_m", "limits"]


class OutletViewSet(ReadOnlyViewSet):
    """Discharge outlets (with their permitted limits) of the enterprises of my jurisdiction."""

    queryset = Outlet.objects.prefetch_related("limits__pollutant")
    serializer_class = OutletSerializer
    filterset_fields = ["enterprise", "permit", "kind", "online_monitored", "is_main"]
    ordering_fields = ["code", "id"]
    ordering = ["enterprise", "code"]
