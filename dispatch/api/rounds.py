"""Checklists, rounds filled line by line, submitted rounds and self-check notices.

A round is started as a ``fieldsync.RoundDraft`` (``POST round-drafts/``, or ``POST
self-check-notices/{id}/open/`` for an enterprise's self-check), filled one line at a time
(``PUT round-drafts/{uuid}/lines/{line}/``) and submitted (``POST round-drafts/{uuid}/submit/``), which
hands every answer to ``dispatch.checklists.submit_round`` with the draft's UUID: a retried submit
returns the same round. Who may start which kind of round is ``dispatch.checklists.may_perform``.
"""
import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement import clock
from enforcement.api.errors import Conflict, service_errors
from enforcement.api.fields import DateTimeFilter
from enforcement.api.idempotency import idempotent
from enforcement.api.permissions import IsEnterprise
from enforcement.api.viewsets import ApiMixin, ReadOnlyViewSet
from enterprises.jurisdiction import restrict
from enterprises.models import Enterprise, Permit
from fieldsync.models import RoundDraft

from .. import checklists
from ..models import Checklist, ChecklistLine, LineResult, Round, SelfCheckNotice


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistLine
        fields = ["id", "seq", "category", "ref", "title", "requirement"]


class ChecklistSerializer(serializers.ModelSerializer):
    permit_number = serializers.CharField(source="permit.number", read_only=True)
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "enterprise", "permit", "permit_number", "revision", "schema_version", "built_at", "lines"]


class EnterpriseQuery(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


def current_checklist(enterprise: Enterprise) -> Checklist:
    """The current checklist of the enterprise's newest valid permit (built if its content changed)."""
    permit = Permit.objects.filter(enterprise=enterprise, status=Permit.Status.VALID).order_by("-issued_on").first()
    if permit is None:
        raise Conflict(_("The enterprise has no valid permit to check against."), code="no_valid_permit")
    return checklists.build_checklist(permit)


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
        return Response(ChecklistSerializer(current_checklist(enterprise)).data)


class DraftSerializer(serializers.ModelSerializer):
    checklist = ChecklistSerializer(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    answered = serializers.SerializerMethodField()
    submitted_round = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = RoundDraft
        fields = ["client_uuid", "kind", "enterprise", "enterprise_name", "notice", "checklist", "answers",
                  "answered", "note", "started_at", "updated_at", "submitted_round"]

    def get_answered(self, draft) -> int:
        return len(draft.answers)


class StartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Round.Kind.choices)
    enterprise = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    client_uuid = serializers.UUIDField(required=False, help_text=_("Your id of this round (retries)."))


class AnswerSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=LineResult.Result.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    case_lead = serializers.BooleanField(required=False, default=False)


class RoundSerializer(serializers.ModelSerializer):
    class ResultSerializer(serializers.ModelSerializer):
        seq = serializers.IntegerField(source="line.seq", read_only=True)
        title = serializers.CharField(source="line.title", read_only=True)

        class Meta:
            model = LineResult
            fields = ["line", "seq", "title", "result", "note", "work_order"]

    results = ResultSerializer(many=True, read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Round
        fields = ["id", "kind", "checklist", "enterprise", "enterprise_name", "township", "client_uuid", "notice",
                  "performed_by", "submitted_at", "note", "case_lead", "case_filed_on", "case_number", "results"]


def start_draft(user, *, kind: str, enterprise: Enterprise, checklist: Checklist, notice=None,
                client_uuid=None) -> tuple[RoundDraft, bool]:
    """The user's draft with ``client_uuid`` (a retried start), or a new one."""
    if client_uuid is not None:
        existing = RoundDraft.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.started_by_id != user.pk:
                raise Conflict(_("This round id is taken."), code="client_uuid_taken")
            return existing, False
    now = clock.now()
    extra = {"client_uuid": client_uuid} if client_uuid else {}
    return RoundDraft.objects.create(kind=kind, checklist=checklist, enterprise=enterprise, notice=notice,
                                     started_by=user, started_at=now, updated_at=now, **extra), True


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
        if not checklists.may_perform(request.user, data["kind"], enterprise):
            raise exceptions.PermissionDenied(_("You may not perform this kind of round for this enterprise."))
        draft, created = start_draft(request.user, kind=data["kind"], enterprise=enterprise,
                                     checklist=current_checklist(enterprise), client_uuid=data.get("client_uuid"))
        return _draft_response(draft, created)

    @extend_schema(request=AnswerSerializer, responses=DraftSerializer)
    @action(detail=True, methods=["put"], url_path=r"lines/(?P<line>\d+)")
    @idempotent
    def line(self, request, client_uuid=None, line=None):
        """Answer one line (pass, fail or not applicable, with a note); answering again replaces it."""
        draft = self.get_object()
        if draft.submitted_round_id:
            raise Conflict(_("This round was submitted already."), code="submitted")
        if not draft.checklist.lines.filter(pk=int(line)).exists():
            raise exceptions.NotFound(_("This line is not on the round's checklist."))
        form = AnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            draft = RoundDraft.objects.select_for_update().get(pk=draft.pk)
            draft.answers[str(int(line))] = form.validated_data
            draft.updated_at = clock.now()
            draft.save(update_fields=["answers", "updated_at"])
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
        answers = [{"line": int(line_id), **answer} for line_id, answer in draft.answers.items()]
        with service_errors():
            rnd, created = checklists.submit_round(
                kind=draft.kind, checklist=draft.checklist, user=request.user, answers=answers,
                client_uuid=draft.client_uuid, notice=draft.notice, note=form.validated_data["note"],
                case_lead=form.validated_data["case_lead"])
        if draft.submitted_round_id is None:
            RoundDraft.objects.filter(pk=draft.pk).update(submitted_round=rnd, updated_at=clock.now())
        rnd = Round.objects.select_related("enterprise").prefetch_related("results__line").get(pk=rnd.pk)
        return Response(RoundSerializer(rnd).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoundViewSet(ReadOnlyViewSet):
    """Submitted rounds (self-checks, patrols, inspections) of the enterprises of my jurisdiction."""

    queryset = Round.objects.select_related("enterprise").prefetch_related("results__line")
    serializer_class = RoundSerializer
    filterset_fields = ["kind", "enterprise", "township", "performed_by", "case_lead"]
    ordering_fields = ["submitted_at", "id"]
    ordering = ["-submitted_at", "-id"]


class NoticeSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = SelfCheckNotice
        fields = ["id", "enterprise", "enterprise_name", "checklist", "batch", "issued_at", "due_at", "completed_at"]


class NoticeFilter(django_filters.FilterSet):
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = SelfCheckNotice
        fields = {"enterprise": ["exact"], "batch": ["exact"], "completed_at": ["isnull"]}


class SelfCheckNoticeViewSet(ReadOnlyViewSet):
    """Self-check notices of the enterprises of my jurisdiction (an enterprise: its own)."""

    queryset = SelfCheckNotice.objects.select_related("enterprise")
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
        if notice.completed_at is not None:
            raise Conflict(_("This self-check was submitted already."), code="completed")
        if not checklists.may_perform(request.user, Round.Kind.SELF_CHECK, notice.enterprise):
            raise exceptions.PermissionDenied(_("Only the enterprise's own accounts do its self-check."))
        draft = RoundDraft.objects.filter(notice=notice, started_by=request.user,
                                          submitted_round__isnull=True).first()
        created = draft is None
        if created:
            draft, _created = start_draft(request.user, kind=Round.Kind.SELF_CHECK, enterprise=notice.enterprise,
                                          checklist=notice.checklist, notice=notice)
        return _draft_response(draft, created)
