"""REST endpoints of waste: the bulk upload of GPS positions and the manifests a user may see.

``POST /api/v1/waste/gps/bulk/`` takes a JSON list of ``{plate, at, latitude, longitude[, speed,
direction, altitude]}`` (or ``{"points": [...]}``); times are ISO 8601 (naive = Asia/Shanghai).
All or nothing like the readings upload: 200 ``{received, stored, duplicates}`` when every row is
valid (a resent row is a duplicate, never stored twice), else 400 ``{errors: [{row, reason, detail}]}``
and nothing stored. Bureau staff may send for any vehicle, a carrier's accounts for its own vehicles.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import JSONParser
from core.api.viewsets import ApiMixin
from enterprises.jurisdiction import is_bureau
from enterprises.models import Role

from .. import selectors
from ..services.trajectories import gps_points_upload
from .serializers import ManifestSerializer, WasteAlertSerializer

MAX_ROWS = 20_000


class MayPostPositions(permissions.BasePermission):
    message = "Only bureau staff and carriers' accounts may send vehicle positions."

    def has_permission(self, request, view):
        user = request.user
        return is_bureau(user) or (user.is_authenticated and user.is_active and user.role == Role.ENTERPRISE
                                   and user.enterprise_id is not None)


def vehicle_checker(user):
    if is_bureau(user):
        return lambda vehicle: True
    return lambda vehicle: vehicle.carrier_id == user.enterprise_id


class BulkPositions(APIView):
    permission_classes = [permissions.IsAuthenticated, MayPostPositions]
    parser_classes = [JSONParser]

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}}},
                   responses={200: OpenApiResponse(description="all rows valid: received / stored / duplicates"),
                              400: OpenApiResponse(description="nothing stored: errors with row, reason, detail")})
    def post(self, request):
        data = request.data
        rows = data.get("points") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not rows:
            return self._bad('send a non-empty JSON list of positions or {"points": [...]}')
        if len(rows) > MAX_ROWS:
            return self._bad(f"at most {MAX_ROWS} positions per request")
        result = gps_points_upload(rows, may_post=vehicle_checker(request.user))
        if result.errors:
            return Response({"received": result.received, "stored": 0,
                             "errors": [{"row": e.row, "reason": e.reason, "detail": e.detail}
                                        for e in result.errors[:200]]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"received": result.received, "stored": result.stored, "duplicates": result.duplicates})

    @staticmethod
    def _bad(detail: str) -> Response:
        return Response({"errors": [{"row": None, "reason": "bad_request", "detail": detail}]},
                        status=status.HTTP_400_BAD_REQUEST)


class ManifestViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Transfer manifests I produce, carry or receive, or of my jurisdiction; with their warnings."""

    serializer_class = ManifestSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["state", "producer", "receiver"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Manifest.objects.none()
        return selectors.visible_manifests(self.request.user).order_by("-planned_departure", "-id")

    @extend_schema(responses=WasteAlertSerializer(many=True))
    @action(detail=True)
    def warnings(self, request, pk=None):
        manifest = self.get_object()
        alerts = selectors.visible_alerts(request.user, open_only=False).filter(manifest=manifest)
        return Response(WasteAlertSerializer(alerts, many=True).data)
