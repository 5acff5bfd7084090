"""Work orders: list (mine / my jurisdiction), detail with history and allowed actions, the plain
actions (accept, start, hand back, approve, send back, close, reopen), rectification plans and feedback
with evidence files. Visibility is ``dispatch.selectors.visible_work_orders``; writes go through
``dispatch.services`` and ``dispatch.evidence``."""
import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from enforcement import clock
from enforcement.api.errors import service_errors
from enforcement.api.fields import DateTimeField, DateTimeFilter
from enforcement.api.idempotency import idempotent
from enforcement.api.parsers import JSONParser
from enforcement.api.viewsets import ApiMixin

from .. import evidence, selectors, services, workflow
from ..models import Attachment, Feedback, Transition, WorkOrder


class WorkOrderSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    overdue_since = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "title", "description", "source", "source_label", "state", "state_label", "enterprise",
                  "enterprise_name", "township", "township_name", "assignee_kind", "grid", "team", "officer",
                  "opened_at", "dispatched_at", "accept_due_at", "fix_due_at", "plan_due_at", "due_at",
                  "overdue_since", "accepted_at", "resolved_at", "closed_at", "on_time", "plan_text", "plan_date",
                  "reopened"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transition
        fields = ["action", "from_state", "to_state", "by", "at", "note"]


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The file on the web pages (session login).")
    download = serializers.SerializerMethodField(help_text="The file through the API (token or session).")

    def get_file(self, obj) -> str:
        return reverse("dispatch:attachment", args=[obj.pk])

    def get_download(self, obj) -> str | None:
        if obj.feedback_id is None:  # a checklist line's photo: on the web pages only
            return None
        return reverse("api-feedback-attachment-file", args=[obj.feedback_id, obj.pk])

    class Meta:
        model = Attachment
        fields = ["id", "file", "download", "sha256", "size", "content_type", "taken_at", "latitude", "longitude",
                  "uploaded_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    received_files = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "work_order", "client_uuid", "text", "declared_files", "received_files", "complete",
                  "submitted_by", "submitted_at", "completed_at", "attachments"]

    def get_received_files(self, feedback) -> int:
        return len(feedback.attachments.all())

    def get_complete(self, feedback) -> bool:
        return feedback.completed_at is not None


class WorkOrderDetailSerializer(WorkOrderSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    feedbacks = FeedbackSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(help_text=_("Actions I may take now."))

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "evidence", "actions", "transitions", "feedbacks"]
        read_only_fields = fields

    def get_actions(self, order) -> list[str]:
        return workflow.allowed_actions(self.context["request"].user, order)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PlanSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    completion_date = serializers.DateField()


class FeedbackInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    client_uuid = serializers.UUIDField(required=False, help_text=_("Your id of this submission (retries)."))
    declared_files = serializers.IntegerField(min_value=0, max_value=50, required=False,
                                              help_text=_("Files that will follow one by one; default: the "
                                                          "files sent with this request."))
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)
    taken_at = DateTimeField(required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField()
    client_uuid = serializers.UUIDField(required=False)
    taken_at = DateTimeField(required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)


class WorkOrderFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("assigned to me (my township, grid or team)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    open = django_filters.BooleanFilter(method="filter_open", label=_("not closed"))
    opened_after = DateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = DateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = WorkOrder
        fields = ["state", "source", "enterprise", "township", "assignee_kind", "grid", "team"]

    def filter_mine(self, queryset, name, value):
        q = selectors.assigned_q(self.request.user)
        return queryset.filter(q).distinct() if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        q = selectors.overdue_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_open(self, queryset, name, value):
        closed = WorkOrder.State.CLOSED
        return queryset.exclude(state=closed) if value else queryset.filter(state=closed)


def _act(name: str, doc: str, attr: str | None = None):
    """A viewset action taking the plain workflow action ``name`` through ``services.act``."""

    def handler(self, request, pk=None):
        order = self.get_object()
        form = NoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            order = services.act(order.pk, name, request.user, form.validated_data["note"])
        return Response(WorkOrderSerializer(order).data)

    handler.__name__ = attr or name
    handler.__doc__ = doc
    routed = action(detail=True, methods=["post"], url_path=handler.__name__.replace("_", "-"))(idempotent(handler))
    return extend_schema(request=NoteSerializer, responses=WorkOrderSerializer, description=doc)(routed)


class WorkOrderViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Work orders of my jurisdiction; ``?mine=true`` for those I must act on."""

    queryset = WorkOrder.objects.all()
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilter
    ordering_fields = ["opened_at", "due_at", "accept_due_at", "id"]
    ordering = ["-opened_at", "-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        qs = selectors.with_overdue(selectors.visible_work_orders(self.request.user)
                                    .select_related("enterprise", "township"))
        if self.action == "retrieve":
            qs = qs.prefetch_related("transitions", "feedbacks__attachments")
        return qs

    def get_serializer_class(self):
        return WorkOrderDetailSerializer if self.action == "retrieve" else WorkOrderSerializer

    accept = _act("accept", "Accept a dispatched order (its handler).")
    start = _act("start", "Start handling an accepted order (its handler).")
    hand_back = _act("return", "Hand a dispatched order back for re-dispatch (its handler).", "hand_back")
    approve = _act("approve", "Review: approve the fix (bureau).")
    send_back = _act("send_back", "Review: send the order back to handling (bureau).")
    close = _act("close", "Close a reviewed order (bureau).")
    reopen = _act("reopen", "Reopen a closed order (bureau).")

    @extend_schema(request=PlanSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def plan(self, request, pk=None):
        """Report a rectification plan with its completion date (the handler, while handling)."""
        order = self.get_object()
        form = PlanSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            order = services.report_plan(order.pk, request.user, text=form.validated_data["text"],
                                         completion_date=form.validated_data["completion_date"])
        return Response(WorkOrderSerializer(order).data)

    @extend_schema(request={"multipart/form-data": FeedbackInSerializer, "application/json": FeedbackInSerializer},
                   responses={201: FeedbackSerializer, 200: FeedbackSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def feedback(self, request, pk=None):
        """Feed back what was done, with photos/videos sent along (``files``) or declared
        (``declared_files``) and uploaded one by one to ``feedbacks/{id}/attachments/``. The order moves to
        fed back when every declared file has arrived. A retry with the same ``client_uuid`` returns the first."""
        order = self.get_object()
        form = FeedbackInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        files = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
        declared = data.get("declared_files", len(files))
        if declared < len(files):
            raise exceptions.ValidationError({"declared_files": [_("Fewer than the files sent.")]})
        with service_errors():
            for upload in files:  # refuse a bad file before anything is stored
                evidence.sniff(upload)
            existed = data.get("client_uuid") and Feedback.objects.filter(client_uuid=data["client_uuid"]).exists()
            feedback = services.submit_feedback(order.pk, request.user, text=data["text"], declared_files=declared,
                                                client_uuid=data.get("client_uuid"))
            for upload in files:
                evidence.attach(upload, feedback=feedback, user=request.user, taken_at=data.get("taken_at"),
                                latitude=data.get("latitude"), longitude=data.get("longitude"))
        feedback = Feedback.objects.prefetch_related("attachments").get(pk=feedback.pk)
        return Response(FeedbackSerializer(feedback).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class FeedbackViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Feedbacks on the work orders of my jurisdiction, and the upload of their declared files."""

    queryset = Feedback.objects.all()
    serializer_class = FeedbackSerializer
    filterset_fields = ["work_order"]
    ordering_fields = ["submitted_at", "id"]
    ordering = ["-submitted_at", "-id"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Feedback.objects.none()
        return Feedback.objects.filter(work_order__in=selectors.visible_work_orders(self.request.user)) \
            .prefetch_related("attachments")

    @extend_schema(request={"multipart/form-data": AttachmentInSerializer},
                   responses={201: AttachmentSerializer, 200: AttachmentSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def attachments(self, request, pk=None):
        """Upload one declared file of this feedback (the order's handler). The same file or ``client_uuid``
        again returns the stored one (200)."""
        feedback = self.get_object()
        order = get_object_or_404(WorkOrder.objects.select_related("team"), pk=feedback.work_order_id)
        if not workflow.may(request.user, order, workflow.HANDLER):
            raise exceptions.PermissionDenied(_("Only the order's handler adds evidence."))
        form = AttachmentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with service_errors():
            attachment, created = evidence.attach(
                data["file"], feedback=feedback, user=request.user, client_uuid=data.get("client_uuid"),
                taken_at=data.get("taken_at") or clock.now(), latitude=data.get("latitude"),
                longitude=data.get("longitude"))
        return Response(AttachmentSerializer(attachment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/file",
            url_name="attachment-file")
    def attachment_file(self, request, pk=None, attachment_id=None):
        """The bytes of one file of this feedback, for those who may see the order."""
        item = get_object_or_404(self.get_object().attachments, pk=attachment_id)
        return FileResponse(item.file.open("rb"), content_type=item.content_type)
