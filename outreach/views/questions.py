"""Question pages: my questions / questions to answer, ask, a question's thread with its actions,
attachments, and the public FAQ."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock

from .. import access, selectors
from ..models import FaqEntry, Question, QuestionAttachment, Topic
from ..services import questions as service
from ..services.errors import OutreachError
from .common import enterprise_required, refused


def _visible(request, pk: int) -> Question:
    question = selectors.visible_questions(request.user).select_related("enterprise", "township").filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


@login_required
def question_list(request):
    user, now = request.user, clock.now()
    qs = selectors.visible_questions(user)
    if not (access.is_staff(user) or access.is_enterprise(user)):
        qs = qs.none()
    state = request.GET.get("state", "")
    listed = qs.filter(state=state) if state in Question.State.values else qs
    if request.GET.get("overdue"):
        listed = listed.filter(selectors.overdue_q(now))
    listed = listed.select_related("enterprise", "township").order_by(F("due_at").asc(), "-id") \
        if state == Question.State.WAITING else listed.select_related("enterprise", "township")
    page = Paginator(listed, 30).get_page(request.GET.get("page"))
    return render(request, "outreach/question_list.html", {
        "page": page, "state": state, "states": Question.State.choices, "now": now,
        "kpi": selectors.answer_kpi(qs, now=now) if access.is_staff(user) else None})


@enterprise_required
def question_ask(request):
    context = {"topics": Topic.choices, "form": request.POST}
    if request.method == "POST":
        try:
            question = service.question_ask(user=request.user, topic=request.POST.get("topic", ""),
                                            title=request.POST.get("title", ""), body=request.POST.get("body", ""),
                                            files=request.FILES.getlist("files"))
        except OutreachError as exc:
            return refused(request, "outreach/question_ask.html", context, exc)
        messages.success(request, _("Your question was sent; the answer is due by %(due)s.") % {
            "due": f"{timezone.localtime(question.due_at):%Y-%m-%d %H:%M}"})
        return redirect("outreach:question_detail", pk=question.pk)
    return render(request, "outreach/question_ask.html", context)


def _detail_context(request, question):
    user = request.user
    return {"question": question, "now": clock.now(),
            "messages_": question.messages.select_related("author").prefetch_related("attachments"),
            "may_answer": access.may_answer(user, question) and question.state != Question.State.CLOSED,
            "may_reply": access.is_enterprise(user) and question.state != Question.State.CLOSED,
            "may_close": question.state != Question.State.CLOSED,
            "may_publish": access.may_answer(user, question) and question.first_answered_at is not None
            and not FaqEntry.objects.filter(question=question).exists(),
            "draft": service.faq_draft(question) if access.may_answer(user, question) else None,
            "faq": FaqEntry.objects.filter(question=question).first()}


@login_required
def question_detail(request, pk: int):
    question = _visible(request, pk)
    return render(request, "outreach/question_detail.html", _detail_context(request, question))


@login_required
@require_POST
def question_act(request, pk: int):
    question = _visible(request, pk)
    action, user, post = request.POST.get("action"), request.user, request.POST
    files = request.FILES.getlist("files")
    try:
        if action == "answer":
            service.question_answer(user=user, question=question, body=post.get("body", ""), files=files)
        elif action == "reply":
            service.question_reply(user=user, question=question, body=post.get("body", ""), files=files)
        elif action == "close":
            service.question_close(user=user, question=question)
        elif action == "publish":
            service.question_publish(user=user, question=question, title=post.get("title", ""),
                                     question_text=post.get("question_text", ""),
                                     answer_text=post.get("answer_text", ""), public=post.get("public") == "1")
        else:
            raise OutreachError(_("Unknown action."))
    except OutreachError as exc:
        question.refresh_from_db()
        return refused(request, "outreach/question_detail.html", _detail_context(request, question), exc)
    messages.success(request, _("Done."))
    return redirect("outreach:question_detail", pk=question.pk)


@login_required
def question_attachment(request, pk: int):
    item = get_object_or_404(QuestionAttachment.objects.select_related("message__question"), pk=pk)
    if not selectors.visible_questions(request.user).filter(pk=item.message.question_id).exists():
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)


def faq(request):
    """The FAQ: public entries for anyone, all entries for logged-in users; searchable."""
    query, topic = request.GET.get("q", "").strip()[:100], request.GET.get("topic", "")
    entries = selectors.faq_entries(request.user, query, topic if topic in Topic.values else "")
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    return render(request, "outreach/faq.html", {"page": page, "q": query, "topic": topic, "topics": Topic.choices})
