"""Serializers of the eco-code API."""
from rest_framework import serializers

from ..models import ColourBand, ColourChange, EcoCode
from ..rules import describe


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
        return [dict(e, reason=describe(e)) for e in entries]


class ColourChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourChange
        fields = ["id", "enterprise", "from_colour", "to_colour", "changed_at"]


class ColourBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourBand
        fields = ["colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
                  "green_subsidy_eligible", "warning_only", "measures"]
