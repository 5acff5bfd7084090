"""Exam pages: the list (open exams and my attempts for an enterprise; exams with their takers and
average for staff), an exam (start, or results per industry and township with retake permission),
and the attempt page where the answer sheet is filled and submitted."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from enterprises import jurisdiction

from .. import access, selectors
from ..models import Attempt, Exam, ExamItem
from ..services import exams as service
from ..services.errors import OutreachError
from .common import enterprise_required, refused, staff_required


@login_required
def exam_list(request):
    user, now = request.user, clock.now()
    if access.is_enterprise(user):
        exams = Exam.objects.filter(opens_at__lte=now).order_by("-opens_at")
        mine = {}
        for attempt in Attempt.objects.filter(enterprise_id=user.enterprise_id).order_by("number"):
            mine[attempt.exam_id] = attempt
        rows = [{"exam": e, "attempt": mine.get(e.pk), "open": e.opens_at <= now < e.closes_at} for e in exams]
        return render(request, "outreach/exam_list.html", {"rows": rows, "now": now})
    if not access.is_staff(user):
        raise Http404
    counted = jurisdiction.restrict(Attempt.objects.exclude(state=Attempt.State.IN_PROGRESS), user)
    exams = Exam.objects.annotate(takers=Count("attempts__enterprise", distinct=True,
                                               filter=Q(attempts__in=counted)),
                                  average=Avg("attempts__score", filter=Q(attempts__in=counted)),
                                  questions_n=Count("items", distinct=True)).order_by("-opens_at")
    return render(request, "outreach/exam_list.html", {"exams": exams, "now": now})


@staff_required
def exam_results(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    user = request.user
    attempts = jurisdiction.restrict(Attempt.objects.filter(exam=exam), user) \
        .select_related("enterprise__township").order_by("enterprise__name", "number")
    return render(request, "outreach/exam_results.html", {
        "exam": exam, "overall": selectors.exam_overall(user, exam), "attempts": attempts,
        "by_industry": selectors.exam_results(user, exam, "enterprise__industry__name"),
        "by_township": selectors.exam_results(user, exam, "enterprise__township__name")})


@staff_required
@require_POST
def exam_retake(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    enterprise = jurisdiction.visible_enterprises(request.user).filter(pk=request.POST.get("enterprise")).first()
    if enterprise is None:
        raise Http404
    try:
        service.retake_grant(user=request.user, exam=exam, enterprise=enterprise)
    except OutreachError as exc:
        messages.error(request, exc.message)
        return redirect("outreach:exam_results", pk=exam.pk)
    messages.success(request, _("%(name)s may take the exam once more.") % {"name": enterprise.name})
    return redirect("outreach:exam_results", pk=exam.pk)


@enterprise_required
@require_POST
def exam_start(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    try:
        attempt = service.attempt_start(user=request.user, exam=exam, taker_name=request.POST.get("taker_name", ""))
    except OutreachError as exc:
        messages.error(request, exc.message)
        response = redirect("outreach:exam_list")
        return response
    return redirect("outreach:attempt", pk=attempt.pk)


def _own_attempt(request, pk: int) -> Attempt:
    attempt = Attempt.objects.select_related("exam").filter(pk=pk, enterprise_id=request.user.enterprise_id).first()
    if attempt is None:
        raise Http404
    return attempt


def _attempt_context(attempt):
    items = ExamItem.objects.filter(exam=attempt.exam).select_related("question").order_by("seq")
    answers = {a.item_id: a for a in attempt.answers.all()}
    return {"attempt": attempt, "now": clock.now(),
            "items": [{"item": i, "answer": answers.get(i.pk),
                       "options": list(enumerate(i.question.options))} for i in items]}


@enterprise_required
def attempt_page(request, pk: int):
    attempt = _own_attempt(request, pk)
    if request.method == "POST":
        sheet = {item_id: request.POST.getlist(f"q{item_id}")
                 for item_id in attempt.exam.items.values_list("pk", flat=True)}
        try:
            attempt = service.attempt_submit(user=request.user, attempt=attempt, answers=sheet)
        except OutreachError as exc:
            attempt.refresh_from_db()
            return refused(request, "outreach/attempt.html", _attempt_context(attempt), exc)
        messages.success(request, _("Submitted: %(score)s points.") % {"score": attempt.score})
        return redirect("outreach:attempt", pk=attempt.pk)
    return render(request, "outreach/attempt.html", _attempt_context(attempt))
