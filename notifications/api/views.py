"""REST views of the in-app inbox (my notifications and my enterprise's, mark read) and of my channel
choice (``/api/v1/notification-preferences/``: every signed-in user, only their own)."""
import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import idempotent
from core.api.viewsets import ApiMixin

from ..models import Notification
from ..selectors import inbox, preference_of
from ..services import PreferenceError, notification_mark_read, preference_update
from .serializers import MarkReadSerializer, NotificationSerializer, PreferenceSerializer


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


FIELDS = ("email", "sms", "wecom", "dingtalk", "wecom_key", "dingtalk_token", "dingtalk_secret")
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


class PreferenceView(APIView):
    """My outbound channels (the in-app inbox is always on); the role's defaults until I save a choice."""

    serializer_class = PreferenceSerializer

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        return Response(PreferenceSerializer(preference_of(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    @idempotent
    def put(self, request):
        """Replace my choice (fields left out are off or empty)."""
        return self._save(request, partial=False)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    @idempotent
    def patch(self, request):
        """Change some fields of my choice."""
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        current = preference_of(request.user)
        form = PreferenceSerializer(current, data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        fields = {}
        for name in FIELDS:
            kept = getattr(current, name)
            fields[name] = form.validated_data.get(name, kept if partial else type(kept)())  # off, or empty
        try:
            pref = preference_update(user=request.user, **fields)
        except PreferenceError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(PreferenceSerializer(pref).data)
