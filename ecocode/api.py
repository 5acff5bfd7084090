"""REST resources of the eco-code (read only): the current colour of each enterprise of my
jurisdiction, its history (scores and colour changes) and the explanation of its latest score.
Reads go through ``ecocode.selectors``; the public token is not exposed here."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.api.viewsets import ReadOnlyViewSet

from . import selectors
from .models import ColourBand, ColourChange, EcoCode, Score


class ColourBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourBand
        fields = ["colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
                  "green_subsidy_eligible", "warning_only", "measures"]


class EcoCodeSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    colour_label = serializers.CharField(source="get_colour_display", read_only=True)

    class Meta:
        model = EcoCode
        fields = ["enterprise", "enterprise_name", "colour", "colour_label", "score", "scored_at"]


class ScoreSerializer(serializers.ModelSerializer):
    catalogue_version = serializers.IntegerField(source="catalogue_version.number", read_only=True)

    class Meta:
        model = Score
        fields = ["id", "computed_at", "score", "colour", "catalogue_version", "group_points"]


class ExplanationSerializer(ScoreSerializer):
    explanation = serializers.ListField(child=serializers.DictField())

    class Meta(ScoreSerializer.Meta):
        fields = [*ScoreSerializer.Meta.fields, "explanation"]


class ColourChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourChange
        fields = ["from_colour", "to_colour", "changed_at", "score"]


HISTORY = inline_serializer("EcoCodeHistory", {
    "scores": ScoreSerializer(many=True), "colour_changes": ColourChangeSerializer(many=True)})
EXPLANATION = inline_serializer("EcoCodeExplanation", {
    "score": ExplanationSerializer(allow_null=True), "consequences": ColourBandSerializer(allow_null=True)})


class EcoCodeViewSet(ReadOnlyViewSet):
    """Current eco-codes, addressed by enterprise id."""

    queryset = EcoCode.objects.select_related("enterprise")
    serializer_class = EcoCodeSerializer
    lookup_field = "enterprise"
    lookup_value_regex = r"\d+"
    filterset_fields = ["colour"]
    ordering_fields = ["score", "scored_at", "enterprise"]
    ordering = ["enterprise"]

    @extend_schema(responses=HISTORY)
    @action(detail=True, methods=["get"])
    def history(self, request, enterprise=None):
        """The last 30 scores and every colour change, newest first."""
        code = self.get_object()
        return Response({
            "scores": ScoreSerializer(selectors.score_history(code.enterprise), many=True).data,
            "colour_changes": ColourChangeSerializer(selectors.colour_history(code.enterprise)[:100], many=True).data,
        })

    @extend_schema(responses=EXPLANATION)
    @action(detail=True, methods=["get"])
    def explanation(self, request, enterprise=None):
        """Why the enterprise has its colour: the indicators of its latest score that cost points, and what
        its colour means (inspection frequency, penalty discretion, subsidies)."""
        code = self.get_object()
        latest = code.latest
        band = selectors.consequence_for(code.enterprise)
        return Response({"score": ExplanationSerializer(latest).data if latest else None,
                         "consequences": ColourBandSerializer(band).data if band else None})
