"""Serializers of the eco-code API: codes with their explanation (each deduction with its records and
their links), colour changes, consequences, objections and credit-repair applications, decisions."""
from rest_framework import serializers

from ..models import ColourBand, ColourChange, CreditRepair, EcoCode, Objection


class EcoCodeSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    explanation = serializers.SerializerMethodField()
    catalogue_version = serializers.IntegerField(source="latest.catalogue_version.number", read_only=True,
                                                 default=None)

    class Meta:
        model = EcoCode
        fields = ["enterprise", "enterprise_name", "colour", "score", "scored_at", "catalogue_version",
                  "explanation"]

    def get_explanation(self, obj) -> list[dict]:
        entries = obj.latest.explanation if obj.latest_id else []
        from ..views import explained

        return [explained(e) for e in entries]


class ColourChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourChange
        fields = ["id", "enterprise", "from_colour", "to_colour", "changed_at"]


class ColourBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourBand
        fields = ["colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
                  "green_subsidy_eligible", "warning_only", "measures"]


class ReviewSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        fields = ["id", "enterprise", "score", "indicator_code", "episodes", "reasons", "state", "submitted_at",
                  "review_due_at", "reviewed_at", "decision_reason", "rescore", "attachments"]
        read_only_fields = fields

    def get_attachments(self, obj) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class ObjectionSerializer(ReviewSerializer):
    class Meta(ReviewSerializer.Meta):
        model = Objection


class RepairSerializer(ReviewSerializer):
    class Meta(ReviewSerializer.Meta):
        model = CreditRepair
        fields = [*ReviewSerializer.Meta.fields, "correction", "corrected_on"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(min_length=4, max_length=4000)
