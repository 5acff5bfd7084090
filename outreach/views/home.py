"""The services hub (/outreach/): what waits for the user in each service."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from core import clock

from .. import access, selectors
from ..models import Attempt, Exam


@login_required
def home(request):
    user, now = request.user, clock.now()
    if not (access.is_staff(user) or access.is_enterprise(user)):
        raise Http404
    questions = selectors.visible_questions(user)
    context = {"kpi": selectors.answer_kpi(questions, now=now),
               "overdue_remedies": selectors.overdue_remedies(user).count()}
    if access.is_enterprise(user):
        taken = Attempt.objects.filter(enterprise_id=user.enterprise_id).values("exam_id")
        context.update(unread=selectors.receipts_of(user).filter(read_at__isnull=True).count(),
                       open_exams=Exam.objects.filter(opens_at__lte=now, closes_at__gt=now)
                       .exclude(pk__in=taken).count())
    else:
        context["differences"] = selectors.assessments_with_differences(user).count()
    return render(request, "outreach/home.html", context)
