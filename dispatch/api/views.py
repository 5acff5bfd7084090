"""REST views of dispatch: work orders with their actions and feedback, checklists, round drafts filled line by line, submitted rounds, self-check notices and (for staff) complaints. Every write calls a dispatch service; refused actions answer 409 (illegal transition), 403 (not yours to take) or 400.

A round is started as a ``fieldsync.RoundDraft`` (``POST round-drafts/``, or ``POST self-check-notices/{id}/open/``
for an enterprise's self-check), filled one line at a time (``PUT round-drafts/{uuid}/lines/{line}/``) and
submitted (``POST round-drafts/{uuid}/submit/``): see ``dispatch.services.round_drafts``."""
import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import clock
from core.api.errors import service_errors
from core.api.fields import DateTimeFilter
from core.api.idempotency import idempotent
from core.api.parsers import JSONParser
from core.api.viewsets import ApiMixin
from enterprises import jurisdiction
from enterprises.api.viewsets import ReadOnlyViewSet
from enterprises.jurisdiction import restrict
from enterprises.models import Enterprise, Grid, Role
from enterprises.permissions import IsEnterprise, IsStaff
from fieldsync.models import RoundDraft

from .. import selectors, services, workflow
from ..models import (
    Campaign,
    Checklist,
    Complaint,
    Feedback,
    Round,
    SelfCheckNotice,
    WorkOrder,
)
from ..services import evidence, round_drafts
from .serializers import (
    AnswerSerializer,
    AttachmentInSerializer,
    AttachmentSerializer,
    CampaignSerializer,
    ChecklistSerializer,
    ComplaintSerializer,
    DraftSerializer,
    EnterpriseQuery,
    FeedbackInSerializer,
    FeedbackSerializer,
    GridSerializer,
    NoteSerializer,
    NoticeSerializer,
    PassToGridSerializer,
    PlanSerializer,
    RoundSerializer,
    StartSerializer,
    SubmitSerializer,
    WorkOrderDetailSerializer,
    WorkOrderSerializer,
)


class ComplaintViewSet(ReadOnlyViewSet):
    """Complaints about the enterprises (or, for complaints about a place, the townships) of my jurisdiction."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    permission_classes = [IsStaff]
    filterset_fields = ["enterprise", "township", "channel"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return selectors.visible_complaints(self.request.user)


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
            order = services.work_order_act(order_id=order.pk, action=name, user=request.user,
                                            note=form.validated_data["note"])
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
                                    .select_related("enterprise", "township", "complaint"))
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

    @extend_schema(request=PassToGridSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="pass-to-grid")
    @idempotent
    def pass_to_grid(self, request, pk=None):
        """The township passes an order it was given to one of its grids (which is told at once)."""
        order = self.get_object()
        form = PassToGridSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        grid = Grid.objects.filter(pk=form.validated_data["grid"], township_id=order.township_id).first()
        with service_errors():
            order = services.work_order_pass_to_grid(order_id=order.pk, user=request.user, grid=grid,
                                                     note=form.validated_data["note"])
        return Response(WorkOrderSerializer(order).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="complaint-photo", url_name="complaint-photo")
    def complaint_photo(self, request, pk=None):
        """The photo of the complaint that opened this order, for those who may see the order."""
        order = self.get_object()
        complaint = getattr(order, "complaint", None)
        if complaint is None or not complaint.photo:
            raise exceptions.NotFound()
        return FileResponse(complaint.photo.open("rb"))

    @extend_schema(responses=GridSerializer(many=True))
    @action(detail=False, methods=["get"])
    def grids(self, request):
        """The grids an order of my jurisdiction can be passed to (those of my townships)."""
        grids = Grid.objects.filter(township__in=jurisdiction.visible_townships(request.user)).order_by("name")
        return Response(GridSerializer(grids, many=True).data)

    @extend_schema(request=PlanSerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def plan(self, request, pk=None):
        """Report a rectification plan with its completion date (the handler, while handling)."""
        order = self.get_object()
        form = PlanSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            order = services.work_order_report_plan(order_id=order.pk, user=request.user,
                                                    text=form.validated_data["text"],
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
            feedback, created = services.feedback_submit(
                order_id=order.pk, user=request.user, text=data["text"], files=files, declared_files=declared,
                client_uuid=data.get("client_uuid"), taken_at=data.get("taken_at"), latitude=data.get("latitude"),
                longitude=data.get("longitude"))
        feedback = Feedback.objects.prefetch_related("attachments").get(pk=feedback.pk)
        return Response(FeedbackSerializer(feedback).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


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
            attachment, created = evidence.attachment_add(upload=data["file"], feedback=feedback, user=request.user,
                                                          client_uuid=data.get("client_uuid"),
                                                          taken_at=data.get("taken_at") or clock.now(),
                                                          latitude=data.get("latitude"),
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


class ChecklistViewSet(ReadOnlyViewSet):
    """Checklists of the enterprises of my jurisdiction (each with its lines)."""

    queryset = Checklist.objects.select_related("permit").prefetch_related("lines")
    serializer_class = ChecklistSerializer
    filterset_fields = ["enterprise", "permit"]
    ordering_fields = ["built_at", "id"]
    ordering = ["-built_at", "-id"]

    @extend_schema(parameters=[EnterpriseQuery], responses=ChecklistSerializer)
    @action(detail=False, methods=["get"])
    def current(self, request):
        """The current checklist of an enterprise (``?enterprise=<id>``), from its newest valid permit."""
        query = EnterpriseQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        enterprise = get_object_or_404(restrict(Enterprise.objects.all(), request.user, ""),
                                       pk=query.validated_data["enterprise"])
        with service_errors():
            checklist = round_drafts.current_checklist(enterprise)
        return Response(ChecklistSerializer(checklist).data)


def _draft_response(draft: RoundDraft, created: bool) -> Response:
    draft = RoundDraft.objects.select_related("enterprise", "checklist__permit") \
        .prefetch_related("checklist__lines").get(pk=draft.pk)
    return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoundDraftViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My rounds in progress: start, fill line by line, submit."""

    queryset = RoundDraft.objects.all()
    serializer_class = DraftSerializer
    lookup_field = "client_uuid"
    filterset_fields = ["kind", "enterprise"]
    ordering_fields = ["updated_at", "started_at"]
    ordering = ["-updated_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoundDraft.objects.none()
        qs = restrict(RoundDraft.objects.filter(started_by=self.request.user), self.request.user)
        if self.action == "list":
            qs = qs.filter(submitted_round__isnull=True)
        return qs.select_related("enterprise", "checklist__permit").prefetch_related("checklist__lines")

    @extend_schema(request=StartSerializer, responses={201: DraftSerializer, 200: DraftSerializer})
    @idempotent
    def create(self, request):
        """Start a round (patrol, inspection, or self-check without a notice) for an enterprise of my
        jurisdiction, on its current checklist; 403 when my role may not perform this kind."""
        form = StartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        enterprise = get_object_or_404(restrict(Enterprise.objects.all(), request.user, ""), pk=data["enterprise"])
        with service_errors():
            draft, created = round_drafts.round_draft_start(user=request.user, kind=data["kind"],
                                                            enterprise=enterprise, client_uuid=data.get("client_uuid"))
        return _draft_response(draft, created)

    @extend_schema(request=AnswerSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["put"], url_path=r"lines/(?P<line>\d+)")
    @idempotent
    def line(self, request, client_uuid=None, line=None):
        """Answer one line (pass, fail or not applicable, with a note); answering again replaces it."""
        draft = self.get_object()
        if not draft.checklist.lines.filter(pk=int(line)).exists():
            raise exceptions.NotFound(_("This line is not on the round's checklist."))
        form = AnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            draft = round_drafts.round_draft_answer(draft=draft, line_id=int(line), answer=form.validated_data)
        return _draft_response(draft, False)

    @extend_schema(request=SubmitSerializer, responses={201: RoundSerializer, 200: RoundSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, client_uuid=None):
        """Submit the round: every line must be answered (a failed line needs a note and opens a work
        order). Submitting again returns the same round (200)."""
        draft = self.get_object()
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            rnd, created = round_drafts.round_draft_submit(draft=draft, user=request.user,
                                                           note=form.validated_data["note"],
                                                           case_lead=form.validated_data["case_lead"],
                                                           latitude=form.validated_data["latitude"],
                                                           longitude=form.validated_data["longitude"])
        rnd = Round.objects.select_related("enterprise").prefetch_related("results__line").get(pk=rnd.pk)
        return Response(RoundSerializer(rnd, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoundFilter(django_filters.FilterSet):
    case_lead = django_filters.BooleanFilter(method="filter_case_lead", label=_("case lead (staff only)"))

    class Meta:
        model = Round
        fields = ["kind", "enterprise", "township", "performed_by"]

    def filter_case_lead(self, queryset, name, value):
        if self.request.user.role == Role.ENTERPRISE:  # an enterprise may not learn it by filtering either
            return queryset
        return queryset.filter(case_lead=value)


class RoundViewSet(ReadOnlyViewSet):
    """Submitted rounds (self-checks, patrols, inspections) of the enterprises of my jurisdiction; an
    enterprise does not see whether an inspection of it became a case lead."""

    queryset = Round.objects.select_related("enterprise").prefetch_related("results__line")
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["submitted_at", "id"]
    ordering = ["-submitted_at", "-id"]


class NoticeFilter(django_filters.FilterSet):
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = SelfCheckNotice
        fields = {"enterprise": ["exact"], "batch": ["exact"], "completed_at": ["isnull"]}


class CampaignViewSet(ApiMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Self-check campaigns (the bureau: all; a township: its own). ``POST`` issues one at once to the
    chosen enterprises (township, industry, colour; empty means all), ``schedule=monthly`` every month."""

    serializer_class = CampaignSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    filterset_fields = ["township", "schedule", "active"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return selectors.visible_campaigns(self.request.user)

    @idempotent
    def create(self, request, *args, **kwargs):
        form = CampaignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with service_errors():
            campaign, _issued = services.campaign_create(
                user=request.user, title=data["title"], township=data.get("township"),
                industry=data.get("industry"), colour=data.get("colour", ""),
                schedule=data.get("schedule", Campaign.Schedule.ONCE), due_days=data.get("due_days", 14))
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data,
                        status=status.HTTP_201_CREATED)


class SelfCheckNoticeViewSet(ReadOnlyViewSet):
    """Self-check notices of the enterprises of my jurisdiction (an enterprise: its own)."""

    queryset = SelfCheckNotice.objects.select_related("enterprise", "campaign")
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    ordering_fields = ["due_at", "issued_at", "id"]
    ordering = ["due_at", "id"]

    @extend_schema(request=None, responses={201: DraftSerializer, 200: DraftSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsEnterprise])
    @idempotent
    def open(self, request, pk=None):
        """Open the self-check of this notice: my round draft on the notice's checklist (the same draft
        when opened again); 409 when the notice is completed."""
        notice = self.get_object()
        with service_errors():
            draft, created = round_drafts.round_draft_open_notice(user=request.user, notice=notice)
        return _draft_response(draft, created)
