"""REST views of the eco-code (read-only): codes with their explanation, colour changes, consequences."""
from enterprises.api.viewsets import ReadOnlyViewSet

from ..models import ColourBand, ColourChange, EcoCode
from .serializers import ColourBandSerializer, ColourChangeSerializer, EcoCodeSerializer


class EcoCodeViewSet(ReadOnlyViewSet):
    """Eco-codes of my jurisdiction, by enterprise id; filter by colour."""

    queryset = EcoCode.objects.select_related("enterprise", "latest__catalogue_version")
    serializer_class = EcoCodeSerializer
    lookup_field = "enterprise"
    filterset_fields = ["colour", "enterprise__township"]
    ordering_fields = ["score", "scored_at"]
    ordering = ["enterprise_id"]


class ColourChangeViewSet(ReadOnlyViewSet):
    """Colour changes of my jurisdiction, newest first; filter by enterprise or colour."""

    queryset = ColourChange.objects.all()
    serializer_class = ColourChangeSerializer
    filterset_fields = ["enterprise", "to_colour", "from_colour"]
    ordering = ["-changed_at", "-id"]


class ColourBandViewSet(ReadOnlyViewSet):
    """The consequences of each colour (county-wide configuration, readable by every signed-in user)."""

    queryset = ColourBand.objects.all()
    serializer_class = ColourBandSerializer
    lookup_field = "colour"
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        return self.queryset.all() if getattr(user, "is_authenticated", False) else self.queryset.none()
