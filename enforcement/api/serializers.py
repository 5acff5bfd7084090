"""Serializers of the enforcement API: cases, inspections, planned inspections, compliance strips."""
from rest_framework import serializers

from ..models import Case, Inspection, PlannedInspection


class CaseSerializer(serializers.ModelSerializer):
    article = serializers.StringRelatedField()

    class Meta:
        model = Case
        fields = ["id", "enterprise", "state", "inspection", "work_order", "facts", "article", "reason", "lead_at",
                  "file_due_on", "filing_number", "filed_on", "decision_due_on", "hearing_notified_on",
                  "hearing_request_due_on", "hearing_held_on", "colour", "discretion_factor", "suggested_amount",
                  "decision_number", "decided_on", "amount", "measures", "discretion_reason", "pay_due_on",
                  "executed_on", "amount_paid"]


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "enterprise", "mode", "planned", "round", "officers", "started_at", "ended_at", "latitude",
                  "longitude", "basis", "findings", "problems_found", "case_lead", "confirmed_by", "confirmed_at"]


class PlannedInspectionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year")
    month = serializers.IntegerField(source="plan.month")

    class Meta:
        model = PlannedInspection
        fields = ["id", "year", "month", "enterprise", "mode", "reason", "source_ref", "lead_officer",
                  "second_officer"]
