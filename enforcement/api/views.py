"""Read-only enforcement API (/api/v1/cases/, inspections/, planned-inspections/), each cut down to the
user's jurisdiction; the planned inspections (who goes where, when) only for enforcement staff."""
from enterprises.api.viewsets import ReadOnlyViewSet
from enterprises.permissions import IsCountyWide

from ..models import Case, Inspection, PlannedInspection
from .serializers import CaseSerializer, InspectionSerializer, PlannedInspectionSerializer


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
