"""Reads of outreach: what a user may see, the answer-time KPI, FAQ search, reach and read rates of
pushed articles, exam results, self-assessment differences and overdue remedy items."""
import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet, Subquery

from core import clock
from enterprises import jurisdiction

from . import access
from .models import (
    ArticleReceipt, Attempt, FaqEntry, HealthCheck, Question, RemedyItem, SelfAssessment,
)


# --- questions -------------------------------------------------------------------------------
def visible_questions(user) -> QuerySet:
    return Question.objects.filter(access.question_q(user))


def overdue_q(now=None) -> Q:
    return Q(state=Question.State.WAITING, due_at__lt=now or clock.now())


def answer_kpi(qs: QuerySet | None = None, *, since=None, now=None) -> dict:
    """The answer-time KPI over ``qs`` (questions asked since ``since``): how many were asked,
    answered, answered in time, are overdue now; the on-time rate (answered in time ÷ answered or
    overdue) and the average hours to a first answer."""
    now = now or clock.now()
    qs = Question.objects.all() if qs is None else qs
    if since is not None:
        qs = qs.filter(asked_at__gte=since)
    first = ExpressionWrapper(F("first_answered_at") - F("asked_at"), output_field=DurationField())
    row = qs.aggregate(
        asked=Count("id"), answered=Count("id", filter=Q(first_answered_at__isnull=False)),
        late=Count("id", filter=Q(answered_late=True)), overdue=Count("id", filter=overdue_q(now)),
        waiting=Count("id", filter=Q(state=Question.State.WAITING)),
        mean_first=Avg(first, filter=Q(first_answered_at__isnull=False)))
    on_time = row["answered"] - row["late"]
    counted = row["answered"] + row["overdue"]
    mean = row.pop("mean_first")
    return {**row, "on_time": on_time, "on_time_rate": on_time / counted if counted else None,
            "mean_hours_to_answer": mean.total_seconds() / 3600 if mean is not None else None}


def faq_entries(user, query: str = "", topic: str = "") -> QuerySet:
    """Published entries: public ones for anyone, the rest for logged-in users; searched in the texts."""
    qs = FaqEntry.objects.all()
    if not access.is_active(user):
        qs = qs.filter(public=True)
    if topic:
        qs = qs.filter(topic=topic)
    for word in query.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(question_text__icontains=word) | Q(answer_text__icontains=word))
    return qs


# --- articles --------------------------------------------------------------------------------
def receipts_of(user) -> QuerySet:
    return jurisdiction.restrict(ArticleReceipt.objects.select_related("article"), user)


def read_rates(qs: QuerySet, by: str) -> list[dict]:
    """Reach and read rate of receipts ``qs`` grouped by ``by`` (e.g. "article", "enterprise__township__name")."""
    rows = list(qs.values(by).order_by(by).annotate(reached=Count("id"),
                                                    read=Count("id", filter=Q(read_at__isnull=False))))
    for row in rows:
        row["rate"] = row["read"] / row["reached"] if row["reached"] else None
    return rows


# --- exams -----------------------------------------------------------------------------------
def _best_scores(exam=None, since=None) -> QuerySet:
    """Scored attempts, one per enterprise and exam: the best one (latest when tied)."""
    best = Attempt.objects.filter(exam=OuterRef("exam"), enterprise=OuterRef("enterprise"),
                                  state__in=[Attempt.State.SCORED, Attempt.State.EXPIRED]) \
        .order_by("-score", "-number").values("pk")[:1]
    qs = Attempt.objects.filter(state__in=[Attempt.State.SCORED, Attempt.State.EXPIRED], pk=Subquery(best))
    if exam is not None:
        qs = qs.filter(exam=exam)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    return qs


def exam_results(user, exam, by: str) -> list[dict]:
    """Per ``by`` ("enterprise__industry__name" or "enterprise__township__name"): enterprises that
    took ``exam`` (within the user's jurisdiction) and their average best score."""
    qs = jurisdiction.restrict(_best_scores(exam), user)
    return list(qs.values(by).order_by(by).annotate(takers=Count("enterprise", distinct=True),
                                                    average=Avg("score"), best=Max("score")))


def exam_overall(user, exam) -> dict:
    qs = jurisdiction.restrict(_best_scores(exam), user)
    return qs.aggregate(takers=Count("enterprise", distinct=True), average=Avg("score"))


def exam_score_by_enterprise(since: dt.datetime | None = None) -> dict[int, float]:
    """{enterprise id: average of its best scores in the exams it took since ``since``}: the input of
    an eco-code indicator on legal knowledge (enterprises that took no exam are absent)."""
    return {row["enterprise_id"]: float(row["score"]) for row in _best_scores(since=since)
            .values("enterprise_id").order_by().annotate(score=Avg("score"))}


# --- self-assessment and health checks ---------------------------------------------------------
def assessments_with_differences(user) -> QuerySet:
    """Self-assessments of the user's jurisdiction where a declaration differs from the platform."""
    return jurisdiction.restrict(SelfAssessment.objects.filter(differences__gt=0), user) \
        .select_related("enterprise__township")


def visible_health_checks(user) -> QuerySet:
    return jurisdiction.restrict(HealthCheck.objects.all(), user).select_related("enterprise") \
        .annotate(open_items=Count("items", filter=Q(items__done_at__isnull=True)),
                  overdue_items=Count("items", filter=Q(items__done_at__isnull=True,
                                                         items__deadline__lt=clock.now().date())))


def overdue_remedies(user, today: dt.date | None = None) -> QuerySet:
    """Remedy items past their deadline and not done, in the user's jurisdiction, most overdue first."""
    today = today or clock.now().date()
    return jurisdiction.restrict(RemedyItem.objects.filter(done_at__isnull=True, deadline__lt=today), user,
                                 "health_check__enterprise") \
        .select_related("health_check__enterprise").order_by("deadline", "id")


def overdue_days(item: RemedyItem, today: dt.date | None = None) -> int:
    return ((today or clock.now().date()) - item.deadline).days
