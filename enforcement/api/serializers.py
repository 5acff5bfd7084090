"""Serializers of the enforcement API: cases, inspections (with their off-site lines; in: an off-site
inspection, the enterprise's confirmation or dispute), planned inspections, joint inspections with the
parts the user may see, operators' records of monitoring devices."""
from rest_framework import serializers

from enterprises.models import Enterprise

from ..models import Case, DeviceCheck, Inspection, JointInspection, JointPart, OffSiteLine, PlannedInspection
from ..selectors import joint_parts_for


class CaseSerializer(serializers.ModelSerializer):
    article = serializers.StringRelatedField()

    class Meta:
        model = Case
        fields = ["id", "enterprise", "state", "inspection", "work_order", "facts", "article", "reason", "lead_at",
                  "file_due_on", "filing_number", "filed_on", "decision_due_on", "hearing_notified_on",
                  "hearing_request_due_on", "hearing_held_on", "colour", "discretion_factor", "suggested_amount",
                  "decision_number", "decided_on", "amount", "measures", "discretion_reason", "pay_due_on",
                  "executed_on", "amount_paid"]


class OffSiteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffSiteLine
        fields = ["basis", "result", "note", "work_order"]
        read_only_fields = ["work_order"]


class InspectionSerializer(serializers.ModelSerializer):
    off_site_lines = OffSiteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "enterprise", "mode", "planned", "round", "officers", "started_at", "ended_at", "latitude",
                  "longitude", "basis", "off_site_lines", "findings", "problems_found", "case_lead", "confirmation",
                  "confirmed_by", "confirmed_by_user", "confirmed_at", "dispute_reason"]


class OffSiteInSerializer(serializers.Serializer):
    """An off-site inspection to record: its lines, the conclusion (``findings`` when read back)."""
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    lines = OffSiteLineSerializer(many=True)
    conclusion = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    case_lead = serializers.BooleanField(default=False)


class ConfirmInSerializer(serializers.Serializer):
    confirmed_by = serializers.CharField(max_length=64, required=False, default="")


class DisputeInSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PlannedInspectionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year")
    month = serializers.IntegerField(source="plan.month")

    class Meta:
        model = PlannedInspection
        fields = ["id", "year", "month", "enterprise", "mode", "reason", "source_ref", "lead_officer",
                  "second_officer"]


class JointPartSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = JointPart
        fields = ["id", "joint", "party", "label", "township", "agency", "findings", "problems_found", "signer_name",
                  "signed_at"]


class JointInspectionSerializer(serializers.ModelSerializer):
    parts = serializers.SerializerMethodField()

    class Meta:
        model = JointInspection
        fields = ["id", "enterprise", "planned_on", "purpose", "invited_at", "parts"]

    def get_parts(self, joint) -> list[dict]:
        return JointPartSerializer(joint_parts_for(joint, self.context["request"].user), many=True).data


class JointPartInSerializer(serializers.Serializer):
    findings = serializers.CharField()
    problems_found = serializers.IntegerField(min_value=0, default=0)


class JointSignInSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=64, required=False, default="")


class DeviceCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceCheck
        fields = ["id", "device", "enterprise", "kind", "operator", "performed_at", "passed", "findings",
                  "resolved_at", "recorded_at"]
