"""Serializers of the waste API."""
from rest_framework import serializers

from ..models import Manifest, WasteAlert


class WasteAlertSerializer(serializers.ModelSerializer):
    rule_display = serializers.CharField(source="get_rule_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = WasteAlert
        fields = ["id", "rule", "rule_display", "state", "state_display", "opened_at", "is_alarm", "work_order",
                  "evidence"]


class ManifestSerializer(serializers.ModelSerializer):
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    carrier_name = serializers.CharField(source="carrier.name", read_only=True)
    plate = serializers.CharField(source="vehicle.plate", read_only=True)
    receiver_name = serializers.CharField(source="receiver.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Manifest
        fields = ["id", "number", "producer", "producer_name", "category_code", "category_name", "quantity", "unit",
                  "packaging", "carrier", "carrier_name", "plate", "receiver", "receiver_name", "planned_departure",
                  "planned_arrival", "departed_at", "arrived_at", "received_at", "received_quantity",
                  "refusal_reason", "closed_at", "state", "state_display"]
