"""REST views of the eco-code: codes with their explanation, colour changes, consequences (read-only);
objections and credit-repair applications (the enterprise files them, township or bureau staff decide; an
accepted one rescores at once)."""
from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.idempotency import idempotent
from enterprises.api.viewsets import ActionViewSet, ReadOnlyViewSet
from enterprises.models import Role

from ..models import ColourBand, ColourChange, CreditRepair, EcoCode, Objection
from ..services import reviews
from .serializers import (
    ColourBandSerializer,
    ColourChangeSerializer,
    DecisionSerializer,
    EcoCodeSerializer,
    ObjectionSerializer,
    RepairSerializer,
)


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


class ReviewViewSet(ActionViewSet):
    """Objections or repair applications of my jurisdiction. POST (the enterprise account, multipart with
    ``files``) files one; POST ``<id>/decide/`` (township or bureau staff) records the decision."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    filterset_fields = ["enterprise", "state", "indicator_code"]
    ordering = ["-submitted_at", "-id"]

    def _enterprise(self, request):
        if request.user.role != Role.ENTERPRISE or not request.user.enterprise_id:
            raise ApiPermissionDenied("only the enterprise itself files an objection or a repair application")
        return request.user.enterprise

    @idempotent
    def create(self, request):
        enterprise = self._enterprise(request)
        try:
            item = self.submit(request, enterprise, request.FILES.getlist("files"))
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages})
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def decide(self, request, pk=None):
        item = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            reviews.decide(item, user=request.user, **decision.validated_data)
        except PermissionDenied:
            raise ApiPermissionDenied("only township or bureau staff of this enterprise decide")
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages})
        item.refresh_from_db()
        return Response(self.get_serializer(item).data)


class ObjectionViewSet(ReviewViewSet):
    queryset = Objection.objects.select_related("enterprise").prefetch_related("attachments")
    serializer_class = ObjectionSerializer

    def submit(self, request, enterprise, files):
        return reviews.objection_submit(enterprise=enterprise, code=str(request.data.get("indicator_code", "")),
                                        reasons=str(request.data.get("reasons", "")), files=files, user=request.user)


class RepairViewSet(ReviewViewSet):
    queryset = CreditRepair.objects.select_related("enterprise").prefetch_related("attachments")
    serializer_class = RepairSerializer

    def submit(self, request, enterprise, files):
        corrected_on = serializers.DateField().to_internal_value(request.data.get("corrected_on", ""))
        return reviews.repair_apply(enterprise=enterprise, code=str(request.data.get("indicator_code", "")),
                                    correction=str(request.data.get("correction", "")), corrected_on=corrected_on,
                                    reasons=str(request.data.get("reasons", "")), files=files, user=request.user)
