"""REST API of the eco-code (read-only): current codes of the enterprises in my jurisdiction with the
latest explanation, the colour history, and the consequences of each colour."""
from rest_framework import serializers

from enforcement.api.viewsets import ReadOnlyViewSet

from .models import ColourBand, ColourChange, EcoCode
from .rules import describe


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


class EcoCodeViewSet(ReadOnlyViewSet):
    """Eco-codes of my jurisdiction, by enterprise id; filter by colour."""

    queryset = EcoCode.objects.select_related("enterprise", "latest__catalogue_version")
    serializer_class = EcoCodeSerializer
    lookup_field = "enterprise"
    filterset_fields = ["colour", "enterprise__township"]
    ordering_fields = ["score", "scored_at"]
    ordering = ["enterprise_id"]


class ColourChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourChange
        fields = ["id", "enterprise", "from_colour", "to_colour", "changed_at"]


class ColourChangeViewSet(ReadOnlyViewSet):
    """Colour changes of my jurisdiction, newest first; filter by enterprise or colour."""

    queryset = ColourChange.objects.all()
    serializer_class = ColourChangeSerializer
    filterset_fields = ["enterprise", "to_colour", "from_colour"]
    ordering = ["-changed_at", "-id"]


class ColourBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColourBand
        fields = ["colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
                  "green_subsidy_eligible", "warning_only", "measures"]


class ColourBandViewSet(ReadOnlyViewSet):
    """The consequences of each colour (county-wide configuration, readable by every signed-in user)."""

    queryset = ColourBand.objects.all()
    serializer_class = ColourBandSerializer
    lookup_field = "colour"
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        return self.queryset.all() if getattr(user, "is_authenticated", False) else self.queryset.none()
