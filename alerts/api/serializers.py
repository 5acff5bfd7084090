"""Serializers of the warnings API."""
from rest_framework import serializers

from core.api.fields import DateTimeField
from enterprises import pollutant_values

from ..models import Alert, AlertEvent, Silence


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["kind", "at", "actor", "note"]


class AlertSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    outlet_code = serializers.CharField(source="outlet.code", read_only=True)
    pollutant_code = serializers.CharField(source="pollutant.code", read_only=True, default=None)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    pollutant_name = serializers.CharField(source="pollutant.name", read_only=True, default="")
    value_text = serializers.SerializerMethodField()
    limit_text = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "enterprise", "enterprise_name", "outlet", "outlet_code", "pollutant", "pollutant_code",
                  "pollutant_name",
                  "rule", "rule_label", "state", "state_label", "value_text", "limit_text", "opened_at", "last_seen_at", "value", "peak_value",
                  "limit_value", "muted", "is_alarm", "escalated_at", "acknowledged_at", "acknowledged_by",
                  "work_order", "resolved_at", "close_reason"]
        read_only_fields = fields

    def get_value_text(self, alert) -> str:
        return pollutant_values.value_text(alert.value, alert.pollutant, alert.unit)

    def get_limit_text(self, alert) -> str:
        return pollutant_values.value_text(alert.limit_value, alert.pollutant, alert.unit)


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "evidence", "events"]
        read_only_fields = fields


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SilenceSerializer(serializers.ModelSerializer):
    outlet_code = serializers.CharField(source="outlet.code", read_only=True)

    class Meta:
        model = Silence
        fields = ["id", "outlet", "outlet_code", "enterprise", "starts_at", "ends_at", "reason", "created_by",
                  "created_at", "cancelled_at", "cancelled_by", "status"]
        read_only_fields = fields


class DeclareSerializer(serializers.Serializer):
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    reason = serializers.CharField(max_length=2000)
