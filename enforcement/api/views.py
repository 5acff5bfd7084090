"""Enforcement API (/api/v1/cases/, inspections/, planned-inspections/, device-checks/), cut down to the
user's jurisdiction; inspections/off-site/ records an off-site inspection and inspections/{id}/confirm/,
dispute/ answer an on-site record, through the services the pages use; the planned inspections (who goes
where, when) only for enforcement staff. Joint inspections (joint-inspections/) for the parties invited,
each party writing and signing its own part (joint-parts/{id}/record/, sign/) through the same services as
the page."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import clock
from core.api.errors import service_errors
from core.api.idempotency import idempotent
from core.api.viewsets import ApiMixin
from enterprises.api.viewsets import ReadOnlyViewSet
from enterprises.permissions import IsCountyWide

from .. import evidence, selectors, services
from ..models import Case, DeviceCheck, Inspection, JointInspection, JointPart, PlannedInspection
from .serializers import (
    CaseSerializer,
    ConfirmInSerializer,
    DeviceCheckSerializer,
    DisputeInSerializer,
    InspectionSerializer,
    JointInspectionSerializer,
    JointPartInSerializer,
    JointPartSerializer,
    JointSignInSerializer,
    OffSiteInSerializer,
    PlannedInspectionSerializer,
)


def _act(request, form_class, service, out, **target) -> Response:
    """Validate the request with ``form_class``, call ``service`` on ``target`` (e.g. ``part=``) as the
    user, and answer the result serialized by ``out``."""
    form = form_class(data=request.data)
    form.is_valid(raise_exception=True)
    with service_errors():
        obj = service(user=request.user, **target, **form.validated_data)
    return Response(out(obj).data)


class CaseViewSet(ReadOnlyViewSet):
    queryset = Case.objects.select_related("article")
    serializer_class = CaseSerializer
    filterset_fields = ["enterprise", "state", "reason"]
    ordering_fields = ["lead_at", "decided_on", "id"]
    ordering = ["-lead_at", "-id"]


class InspectionViewSet(ReadOnlyViewSet):
    """Inspections; ``off-site`` records one (as the off-site page does, fulfilling the month's planned
    item), ``confirm`` and ``dispute`` answer an on-site record for the enterprise (as its record page)."""
    queryset = Inspection.objects.prefetch_related("officers", "off_site_lines")
    serializer_class = InspectionSerializer
    filterset_fields = ["enterprise", "mode", "case_lead", "confirmation"]
    ordering_fields = ["started_at", "id"]
    ordering = ["-started_at", "-id"]

    @extend_schema(request=OffSiteInSerializer, responses={201: InspectionSerializer})
    @action(detail=False, methods=["post"], url_path="off-site")
    @idempotent
    def off_site(self, request):
        form = OffSiteInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        with service_errors():
            inspection = services.inspection_record_off_site(
                user=request.user, enterprise=d["enterprise"], lines=d["lines"], conclusion=d["conclusion"],
                started_at=d["started_at"], ended_at=d["ended_at"], case_lead=d["case_lead"],
                planned=evidence.open_off_site_item(d["enterprise"], clock.now()))
        return Response(InspectionSerializer(inspection).data, status=201)

    def _answer(self, request, form_class, service):
        return _act(request, form_class, service, inspection=self.get_object(), out=InspectionSerializer)

    @extend_schema(request=ConfirmInSerializer, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk=None):
        return self._answer(request, ConfirmInSerializer, services.inspection_confirm)

    @extend_schema(request=DisputeInSerializer, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def dispute(self, request, pk=None):
        return self._answer(request, DisputeInSerializer, services.inspection_dispute)


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
        return _act(request, form_class, service, part=self.get_object(), out=JointPartSerializer)

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
