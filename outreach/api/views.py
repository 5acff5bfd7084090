"""REST API of outreach for the mobile clients: questions (ask, answer, reply, close), the FAQ,
received articles (read mark), exams (start, submit). Visibility comes from ``outreach.access`` and
``enterprises.jurisdiction``; writes go through ``outreach.services``."""
from django.db.models import BooleanField, Case, Q, Value, When
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core import clock
from core.api.errors import service_errors
from core.api.idempotency import idempotent
from core.api.parsers import JSONParser
from enterprises.permissions import IsEnterprise, roles
from core.api.viewsets import ApiMixin
from enterprises.models import Role

from .. import selectors
from ..models import Article, ArticleReceipt, Attempt, Exam, FaqEntry, Question
from ..services import articles, exams, questions
from . import serializers as s

EnterpriseOrStaff = roles(Role.BUREAU, Role.ENFORCEMENT, Role.TOWNSHIP, Role.GRID, Role.ENTERPRISE)


class QuestionViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Questions I asked (enterprise) or may answer (staff of the route), with their threads."""

    permission_classes = [EnterpriseOrStaff]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["state", "topic", "route"]
    ordering = ["-asked_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        return selectors.visible_questions(self.request.user).select_related("enterprise").annotate(
            overdue=Case(When(selectors.overdue_q(clock.now()), then=Value(True)), default=Value(False),
                         output_field=BooleanField())).prefetch_related("messages__attachments")

    def get_serializer_class(self):
        return s.QuestionDetailSerializer if self.action != "list" else s.QuestionSerializer

    def _answer(self, question):
        return Response(s.QuestionDetailSerializer(self.get_queryset().get(pk=question.pk)).data)

    @extend_schema(request=s.QuestionAskSerializer, responses={201: s.QuestionDetailSerializer})
    @idempotent
    def create(self, request):
        form = s.QuestionAskSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            question = questions.question_ask(user=request.user, topic=form.validated_data["topic"],
                                              title=form.validated_data["title"], body=form.validated_data["body"],
                                              files=request.FILES.getlist("files"))
        response = self._answer(question)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _message(self, request, service):
        question = self.get_object()
        form = s.QuestionMessageInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            service(user=request.user, question=question, body=form.validated_data["body"],
                    files=request.FILES.getlist("files"))
        return self._answer(question)

    @extend_schema(request=s.QuestionMessageInSerializer, responses=s.QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, pk=None):
        return self._message(request, questions.question_answer)

    @extend_schema(request=s.QuestionMessageInSerializer, responses=s.QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def reply(self, request, pk=None):
        return self._message(request, questions.question_reply)

    @extend_schema(request=None, responses=s.QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        question = self.get_object()
        with service_errors():
            questions.question_close(user=request.user, question=question)
        return self._answer(question)


class FaqViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """The published FAQ: public entries for anyone, all for logged-in users; ``?q=`` searches."""

    permission_classes = [AllowAny]
    serializer_class = s.FaqSerializer
    filterset_fields = ["topic"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FaqEntry.objects.none()
        return selectors.faq_entries(self.request.user, self.request.query_params.get("q", "")[:100])


class ReceivedArticleViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The articles pushed to my enterprise, with their read state; ``read`` marks one read."""

    permission_classes = [IsEnterprise]
    serializer_class = s.ReceiptSerializer
    filterset_fields = {"read_at": ["isnull"]}
    ordering = ["-delivered_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ArticleReceipt.objects.none()
        return selectors.receipts_of(self.request.user).prefetch_related("article__industries")

    @extend_schema(request=None, responses=s.ReceiptSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def read(self, request, pk=None):
        receipt = self.get_object()
        articles.article_read(user=request.user, article=get_object_or_404(Article, pk=receipt.article_id))
        receipt.refresh_from_db()
        return Response(s.ReceiptSerializer(receipt).data)


class ExamViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exams open now; ``start`` begins (or continues) my enterprise's attempt."""

    permission_classes = [IsEnterprise]
    serializer_class = s.ExamSerializer

    def get_queryset(self):
        now = clock.now()
        return Exam.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")

    @extend_schema(request=s.ExamStartSerializer, responses={201: s.AttemptSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def start(self, request, pk=None):
        exam = self.get_object()
        form = s.ExamStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            attempt = exams.attempt_start(user=request.user, exam=exam,
                                          taker_name=form.validated_data.get("taker_name", ""))
        return Response(s.AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class AttemptViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My enterprise's attempts; ``submit`` sends the answer sheet, scored on the server."""

    permission_classes = [IsEnterprise]
    serializer_class = s.AttemptSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attempt.objects.none()
        return Attempt.objects.filter(Q(enterprise_id=self.request.user.enterprise_id)).select_related("exam") \
            .prefetch_related("answers").order_by("-started_at")

    @extend_schema(request=s.ExamSubmitSerializer, responses=s.AttemptSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None):
        attempt = self.get_object()
        form = s.ExamSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with service_errors():
            attempt = exams.attempt_submit(user=request.user, attempt=attempt,
                                           answers=form.validated_data["answers"])
        return Response(s.AttemptSerializer(self.get_queryset().get(pk=attempt.pk)).data)
