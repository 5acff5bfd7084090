"""Enforcement API (/api/v1/cases/, inspections/, planned-inspections/, device-checks/), read-only and cut
down to the user's jurisdiction; the planned inspections (who goes where, when) only for enforcement
staff. Joint inspections (joint-inspections/) for the parties invited, each party writing and signing its
own part (joint-parts/{id}/record/, sign/) through the same services as the page."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import service_errors
from core.api.idempotency import idempotent
from core.api.viewsets import ApiMixin
from enterprises.api.viewsets import ReadOnlyViewSet
from enterprises.permissions import IsCountyWide

from .. import selectors, services
from ..models import Case, DeviceCheck, Inspection, JointInspection, JointPart, PlannedInspection
from .serializers import (
    CaseSerializer,
    DeviceCheckSerializer,
    InspectionSerializer,
    JointInspectionSerializer,
    JointPartInSerializer,
    JointPartSerializer,
    JointSignInSerializer,
    PlannedInspectionSerializer,
)


class CaseViewSet(ReadOnlyViewSet):
    queryset = Case.objects.select_related("article")
    serializer_class = CaseSerializer
    filterset_fields = ["enterprise", "state", "reason"]
    ordering_fields = ["lead_at", "decided_on", "id"]
    ordering = ["-lead_at", "-id"]


class InspectionViewSet(ReadOnlyViewSet):
    queryset = Inspection.objects.prefetch_related("officers")
    serializer_class = InspectionSerializer
    filterset_fields = ["enterprise", "mode", "case_lead"]
    ordering_fields = ["started_at", "id"]
    ordering = ["-started_at", "-id"]


class PlannedInspectionViewSet(ReadOnlyViewSet):
    queryset = PlannedInspection.objects.select_related("plan")
    serializer_class = PlannedInspectionSerializer
    permission_classes = [IsCountyWide]
    filterset_fields = ["enterprise", "mode", "reason", "plan__year", "plan__month"]
    ordering_fields = ["id"]
    ordering = ["id"]


class JointInspectionViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Joint inspections I take part in, each with the parts I may see (``selectors.joint_inspections_for``)."""
    serializer_class = JointInspectionSerializer
    queryset = JointInspection.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JointInspection.objects.none()
        return selectors.joint_inspections_for(self.request.user).order_by("-planned_on", "-id")


class JointPartViewSet(ApiMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A party writes (``record``) and signs (``sign``) its own part of a joint inspection."""
    serializer_class = JointPartSerializer
    queryset = JointPart.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JointPart.objects.none()
        return selectors.joint_parts_visible(self.request.user)

    def _act(self, request, form_class, service):
        part = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            part = service(part=part, user=request.user, **form.validated_data)
        return Response(JointPartSerializer(part).data)

    @extend_schema(request=JointPartInSerializer, responses=JointPartSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def record(self, request, pk=None):
        return self._act(request, JointPartInSerializer, services.joint_part_record)

    @extend_schema(request=JointSignInSerializer, responses=JointPartSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def sign(self, request, pk=None):
        return self._act(request, JointSignInSerializer, services.joint_part_sign)


class DeviceCheckViewSet(ReadOnlyViewSet):
    queryset = DeviceCheck.objects.all()
    serializer_class = DeviceCheckSerializer
    filterset_fields = ["enterprise", "device", "kind", "passed"]
    ordering_fields = ["performed_at", "id"]
    ordering = ["-performed_at", "-id"]
