"""Serializers of the enterprises API."""
from rest_framework import serializers

from ..models import Enterprise, Outlet, Permit, PermitLimit


class EnterpriseSerializer(serializers.ModelSerializer):
    industry_code = serializers.CharField(source="industry.code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "industry_code", "industry_name", "address", "latitude", "longitude",
                  "township", "township_name", "village", "grid", "management_class", "status",
                  "legal_representative", "contact_name", "contact_phone", "contact_email"]


class PermitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Permit
        fields = ["id", "enterprise", "number", "management_class", "issued_on", "valid_from", "expires_on", "status",
                  "issuing_authority"]


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
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Outlet
        fields = ["id", "enterprise", "enterprise_name", "permit", "code", "name", "kind", "is_main",
                  "online_monitored", "latitude", "longitude", "height_m", "limits"]
