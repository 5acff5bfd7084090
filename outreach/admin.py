"""Admin of outreach: the question bank and exams are edited here by bureau staff; the rest is
shown for support, with the writes that have a workflow left to the pages."""
from django.contrib import admin
from django.core.exceptions import ValidationError

from .models import (
    Article, ArticlePush, ArticleReceipt, Attempt, BankQuestion, Exam, ExamItem, FaqEntry, HealthCheck, Question,
    QuestionMessage, RemedyItem, RetakeGrant, SelfAssessment,
)
from .services.errors import OutreachError
from .services.exams import bank_question_check


class BankQuestionForm(admin.ModelAdmin.form):
    def clean(self):
        data = super().clean()
        try:
            bank_question_check(kind=data.get("kind"), options=data.get("options"), correct=data.get("correct"))
        except OutreachError as exc:
            raise ValidationError(exc.message) from exc
        return data


@admin.register(BankQuestion)
class BankQuestionAdmin(admin.ModelAdmin):
    form = BankQuestionForm
    list_display = ("id", "kind", "topic", "text", "active")
    list_filter = ("kind", "topic", "active")
    search_fields = ("text",)


class ExamItemInline(admin.TabularInline):
    model = ExamItem
    extra = 0
    raw_id_fields = ("question",)


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ("title", "time_limit_minutes", "opens_at", "closes_at")
    inlines = [ExamItemInline]
    raw_id_fields = ("created_by",)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("exam", "enterprise", "number", "taker_name", "state", "score", "started_at")
    list_filter = ("exam", "state")
    search_fields = ("enterprise__name",)
    readonly_fields = [f.name for f in Attempt._meta.fields]  # scored on the server only

    def has_add_permission(self, request):
        return False


admin.site.register(RetakeGrant, list_display=("exam", "enterprise", "granted_by", "granted_at"),
                    raw_id_fields=("enterprise", "granted_by"))


class MessageInline(admin.StackedInline):
    model = QuestionMessage
    extra = 0
    readonly_fields = ("kind", "author", "body", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("title", "enterprise", "topic", "route", "state", "asked_at", "due_at", "answered_late")
    list_filter = ("state", "topic", "route", "answered_late")
    search_fields = ("title", "enterprise__name")
    readonly_fields = ("state", "asked_at", "first_answered_at", "last_answered_at", "closed_at")
    raw_id_fields = ("enterprise", "asked_by")
    inlines = [MessageInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "public", "published_at")
    list_filter = ("topic", "public")
    search_fields = ("title", "question_text", "answer_text")
    raw_id_fields = ("question", "published_by")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "published_at")
    list_filter = ("topic",)
    search_fields = ("title", "body")
    filter_horizontal = ("industries",)
    raw_id_fields = ("author",)


admin.site.register(ArticlePush, list_display=("article", "pushed_by", "pushed_at", "reached"),
                    raw_id_fields=("article", "pushed_by"))
admin.site.register(ArticleReceipt, list_display=("article", "enterprise", "delivered_at", "read_at"),
                    raw_id_fields=("article", "enterprise", "push"))
admin.site.register(SelfAssessment, list_display=("enterprise", "period_start", "period_end", "differences"),
                    raw_id_fields=("enterprise", "permit", "submitted_by"))


class RemedyItemInline(admin.TabularInline):
    model = RemedyItem
    extra = 0
    raw_id_fields = ("done_by",)


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "checked_on", "steward")
    search_fields = ("enterprise__name", "steward")
    raw_id_fields = ("enterprise", "recorded_by")
    inlines = [RemedyItemInline]
