"""REST resources of warnings: list and detail (with the audit log), acknowledge (the enterprise's
own accounts) and close (staff with jurisdiction); maintenance windows (declare, cancel). Every write
goes through ``alerts.services``."""
import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import clock
from core.api.errors import service_errors
from core.api.fields import DateTimeFilter
from core.api.idempotency import idempotent
from enterprises.api.viewsets import ActionViewSet
from enterprises.jurisdiction import restrict
from enterprises.models import Outlet
from enterprises.permissions import IsStaff

from .. import services as alert_services
from ..models import OPEN_STATES, Alert, Silence
from .serializers import (
    AlertDetailSerializer,
    AlertSerializer,
    CloseSerializer,
    DeclareSerializer,
    SilenceSerializer,
)


class AlertFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(method="filter_open", label=_("open (opened, notified or acknowledged)"))
    opened_after = DateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = DateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = Alert
        fields = ["state", "rule", "enterprise", "outlet", "is_alarm"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(state__in=OPEN_STATES) if value else queryset.exclude(state__in=OPEN_STATES)


class AlertViewSet(ActionViewSet):
    """Warnings of the enterprises of my jurisdiction."""

    queryset = Alert.objects.select_related("outlet", "enterprise", "pollutant")
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["opened_at", "last_seen_at", "id"]
    ordering = ["-opened_at", "-id"]

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action == "retrieve" else AlertSerializer

    def base_queryset(self):
        qs = super().base_queryset()
        return qs.prefetch_related("events") if self.action == "retrieve" else qs

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def acknowledge(self, request, pk=None):
        """The enterprise has seen the warning (stops re-notification). Enterprise accounts only; 409 when it is
        no longer open and unacknowledged."""
        alert = self.get_object()
        with service_errors(state_conflict=True):
            alert = alert_services.alert_acknowledge(alert=alert, user=request.user)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=CloseSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    @idempotent
    def close(self, request, pk=None):
        """Staff close a warning with a reason; 409 when it is no longer open."""
        alert = self.get_object()
        form = CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors(state_conflict=True):
            alert = alert_services.alert_close(alert=alert, user=request.user, reason=form.validated_data["reason"])
        return Response(AlertSerializer(alert).data)


class SilenceViewSet(ActionViewSet):
    """Maintenance windows of the outlets of my jurisdiction (``?current=true``: not yet over). An enterprise
    declares them for its own outlets (county staff for any); warnings are then recorded but not notified."""

    queryset = Silence.objects.select_related("outlet")
    serializer_class = SilenceSerializer
    filterset_fields = ["outlet", "enterprise"]
    ordering_fields = ["starts_at", "ends_at", "id"]
    ordering = ["-starts_at", "-id"]

    def base_queryset(self):
        qs = super().base_queryset()
        if self.request.query_params.get("current") in ("true", "1"):
            qs = qs.filter(ends_at__gt=clock.now(), cancelled_at__isnull=True)
        return qs

    @extend_schema(request=DeclareSerializer, responses={201: SilenceSerializer})
    @idempotent
    def create(self, request):
        """Declare a maintenance window for an outlet of my jurisdiction (the enterprise's own accounts, or
        county staff); 403 for other roles, 400 for a window that is too long or in the past."""
        form = DeclareSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        outlet = get_object_or_404(restrict(Outlet.objects.all(), request.user), pk=data["outlet"])
        with service_errors():
            silence = alert_services.silence_declare(outlet=outlet, user=request.user,
                                                     starts_at=data["starts_at"], ends_at=data["ends_at"],
                                                     reason=data["reason"])
        return Response(SilenceSerializer(silence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SilenceSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        """End a maintenance window early; 409 when it is already over."""
        silence = self.get_object()
        with service_errors(state_conflict=True):
            silence = alert_services.silence_cancel(silence=silence, user=request.user)
        return Response(SilenceSerializer(silence).data)
