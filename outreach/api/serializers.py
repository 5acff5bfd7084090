"""Serializers of the outreach API: questions with their threads, FAQ entries, received articles,
exams (without the correct answers) and attempts."""
from django.urls import reverse
from rest_framework import serializers

from ..models import (
    Article, ArticleReceipt, Attempt, AttemptAnswer, Exam, ExamItem, FaqEntry, Question, QuestionAttachment,
    QuestionMessage, Topic,
)


class QuestionAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The file (session or token login).")

    def get_url(self, obj) -> str:
        return reverse("outreach:question_attachment", args=[obj.pk])

    class Meta:
        model = QuestionAttachment
        fields = ["id", "name", "content_type", "size", "url"]


class QuestionMessageSerializer(serializers.ModelSerializer):
    attachments = QuestionAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionMessage
        fields = ["id", "kind", "body", "at", "attachments"]


class QuestionSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Question
        fields = ["id", "title", "topic", "route", "state", "state_label", "enterprise", "enterprise_name",
                  "township", "asked_at", "due_at", "overdue", "first_answered_at", "answered_late", "closed_at"]
        read_only_fields = fields


class QuestionDetailSerializer(QuestionSerializer):
    messages = QuestionMessageSerializer(many=True, read_only=True)

    class Meta(QuestionSerializer.Meta):
        fields = QuestionSerializer.Meta.fields + ["messages"]
        read_only_fields = fields


class QuestionAskSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)


class QuestionMessageInSerializer(serializers.Serializer):
    body = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)


class FaqSerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqEntry
        fields = ["id", "topic", "title", "question_text", "answer_text", "published_at"]


class ArticleSerializer(serializers.ModelSerializer):
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "body", "topic", "industries", "published_at"]


class ReceiptSerializer(serializers.ModelSerializer):
    article = ArticleSerializer(read_only=True)

    class Meta:
        model = ArticleReceipt
        fields = ["id", "article", "delivered_at", "read_at"]


class ExamItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="question.kind")
    text = serializers.CharField(source="question.text")
    options = serializers.ListField(source="question.options", child=serializers.CharField())

    class Meta:
        model = ExamItem
        fields = ["id", "seq", "kind", "text", "options"]


class ExamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exam
        fields = ["id", "title", "description", "time_limit_minutes", "opens_at", "closes_at"]


class ExamAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttemptAnswer
        fields = ["item", "chosen", "is_correct"]


class AttemptSerializer(serializers.ModelSerializer):
    exam = ExamSerializer(read_only=True)
    items = serializers.SerializerMethodField()
    answers = ExamAnswerSerializer(many=True, read_only=True)

    def get_items(self, obj) -> list[dict]:
        items = ExamItem.objects.filter(exam=obj.exam).select_related("question").order_by("seq")
        return ExamItemSerializer(items, many=True).data

    class Meta:
        model = Attempt
        fields = ["id", "exam", "number", "taker_name", "state", "started_at", "deadline_at", "submitted_at",
                  "correct_count", "score", "items", "answers"]
        read_only_fields = fields


class ExamStartSerializer(serializers.Serializer):
    taker_name = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ExamSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField(min_value=0)),
                                    help_text="{exam item id: [chosen option indices]}")
