"""REST views of the in-app inbox: my notifications (and my enterprise's), mark read."""
import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.idempotency import idempotent
from core.api.viewsets import ApiMixin

from ..models import Notification
from ..selectors import inbox
from ..services import notification_mark_read
from .serializers import MarkReadSerializer, NotificationSerializer


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


MARKED = inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})


class NotificationViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """My inbox, newest first."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return inbox(self.request.user)

    @extend_schema(request=None, responses=MARKED)
    @action(detail=True, methods=["post"])
    @idempotent
    def read(self, request, pk=None):
        """Mark one notification read."""
        note = self.get_object()
        return Response({"marked": notification_mark_read(user=request.user, ids=[note.pk])})

    @extend_schema(request=MarkReadSerializer, responses=MARKED)
    @action(detail=False, methods=["post"], url_path="mark-read")
    @idempotent
    def mark_read(self, request):
        """Mark several notifications read (ids not in my inbox are ignored)."""
        form = MarkReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response({"marked": notification_mark_read(user=request.user, ids=form.validated_data["ids"])})
