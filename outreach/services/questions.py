"""Questions and answers: ask, answer, reply, close, publish to the FAQ.

A question waits for an answer until ``due_at`` (``OUTREACH_ANSWER_HOURS`` after it was asked or
after the enterprise's last reply); an answer after that marks it ``answered_late``. Publishing copies
the thread's first question and the staff answers into an ``FaqEntry`` with the enterprise's name,
credit code, people, phone numbers, e-mail addresses and address taken out.
"""
import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core import clock
from enterprises.models import Role, User
from notifications.services import Message, notify, notify_many

from .. import access
from ..models import TOPIC_ROUTES, FaqEntry, Question, QuestionAttachment, QuestionMessage, Route, Topic
from .errors import OutreachError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def answer_window() -> timedelta:
    return timedelta(hours=getattr(settings, "OUTREACH_ANSWER_HOURS", 72))


def _sniff(upload) -> str:
    """The content type of an upload judged from its bytes: a PDF or a photo, else refused."""
    if upload.size == 0:
        raise OutreachError(_("The file is empty."))
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise OutreachError(_("A file may be at most %(mb)d MB.") % {"mb": MAX_ATTACHMENT_BYTES // 2**20})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "application/pdf"
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        raise OutreachError(_("Only PDF files and photos (JPEG, PNG, WebP) can be attached."))
    return IMAGE_TYPES[kind]


def _add_message(question: Question, *, kind: str, author, body: str, files=(), now) -> QuestionMessage:
    body = (body or "").strip()
    if not body:
        raise OutreachError(_("The text may not be empty."))
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise OutreachError(_("At most %(n)d files per message.") % {"n": MAX_ATTACHMENTS})
    checked = [(upload, _sniff(upload)) for upload in files]
    message = QuestionMessage.objects.create(question=question, kind=kind, author=author, body=body, at=now)
    seen = set()
    for upload, content_type in checked:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        sha = digest.hexdigest()
        if sha in seen:
            continue
        seen.add(sha)
        upload.seek(0)
        QuestionAttachment.objects.create(message=message, file=upload, name=upload.name[:200],
                                          content_type=content_type, size=upload.size, sha256=sha)
    return message


def _staff_to_tell(question: Question):
    """The officers who should hear of a new question or reply: the township's for township topics."""
    if question.route == Route.TOWNSHIP:
        return User.objects.filter(role=Role.TOWNSHIP, township_id=question.township_id, is_active=True)
    return User.objects.none()


def _tell_staff(question: Question, subject: str) -> None:
    url = reverse("outreach:question_detail", args=[question.pk])
    notify_many([Message(kind="question", subject=subject, user=officer, url=url, source=f"question:{question.pk}")
                 for officer in _staff_to_tell(question)])


@transaction.atomic
def question_ask(*, user, topic: str, title: str, body: str, files=()) -> Question:
    if not access.is_enterprise(user):
        raise OutreachError(_("Only an enterprise account can ask a question."), 403)
    if topic not in Topic.values:
        raise OutreachError(_("Choose a topic."))
    title = (title or "").strip()
    if not title:
        raise OutreachError(_("The title may not be empty."))
    now = clock.now()
    enterprise = user.enterprise
    question = Question.objects.create(enterprise=enterprise, township_id=enterprise.township_id, asked_by=user,
                                       topic=topic, route=TOPIC_ROUTES[topic], title=title[:200], asked_at=now,
                                       due_at=now + answer_window())
    _add_message(question, kind=QuestionMessage.Kind.QUESTION, author=user, body=body, files=files, now=now)
    _tell_staff(question, _("New question: %(title)s") % {"title": question.title})
    return question


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


@transaction.atomic
def question_answer(*, user, question: Question, body: str, files=()) -> Question:
    question = _locked(question)
    if not access.may_answer(user, question):
        raise OutreachError(_("You may not answer this question."), 403)
    if question.state == Question.State.CLOSED:
        raise OutreachError(_("The question is closed."), 409)
    now = clock.now()
    _add_message(question, kind=QuestionMessage.Kind.ANSWER, author=user, body=body, files=files, now=now)
    if question.state == Question.State.WAITING and now > question.due_at:
        question.answered_late = True
    question.first_answered_at = question.first_answered_at or now
    question.last_answered_at = now
    question.state = Question.State.ANSWERED
    question.save(update_fields=["answered_late", "first_answered_at", "last_answered_at", "state"])
    notify(kind="question_answered", subject=_("Your question was answered: %(title)s") % {"title": question.title},
           enterprise=question.enterprise, url=reverse("outreach:question_detail", args=[question.pk]),
           source=f"question:{question.pk}")
    return question


@transaction.atomic
def question_reply(*, user, question: Question, body: str, files=()) -> Question:
    """The enterprise writes again: the question waits for an answer again, with a new deadline."""
    question = _locked(question)
    if not access.is_enterprise(user) or user.enterprise_id != question.enterprise_id:
        raise OutreachError(_("Only the enterprise that asked can reply."), 403)
    if question.state == Question.State.CLOSED:
        raise OutreachError(_("The question is closed."), 409)
    now = clock.now()
    _add_message(question, kind=QuestionMessage.Kind.REPLY, author=user, body=body, files=files, now=now)
    if question.state != Question.State.WAITING:
        question.state = Question.State.WAITING
        question.due_at = now + answer_window()
        question.save(update_fields=["state", "due_at"])
    _tell_staff(question, _("The enterprise replied: %(title)s") % {"title": question.title})
    return question


@transaction.atomic
def question_close(*, user, question: Question) -> Question:
    question = _locked(question)
    if not ((access.is_enterprise(user) and user.enterprise_id == question.enterprise_id)
            or access.may_answer(user, question)):
        raise OutreachError(_("You may not close this question."), 403)
    if question.state == Question.State.CLOSED:
        raise OutreachError(_("The question is already closed."), 409)
    question.state = Question.State.CLOSED
    question.closed_at = clock.now()
    question.save(update_fields=["state", "closed_at"])
    return question


def anonymise(text: str, enterprise) -> str:
    """``text`` without what names the enterprise: its name, credit code, people, address, phones, e-mails."""
    replacements = [(enterprise.name, _("the enterprise")), (enterprise.credit_code, "")]
    for person in (enterprise.contact_name, enterprise.legal_representative):
        replacements.append((person, _("the person in charge")))
    replacements.append((enterprise.address, _("the site")))
    for needle, placeholder in sorted(replacements, key=lambda pair: -len(pair[0] or "")):
        if needle and len(needle) >= 2:
            text = text.replace(needle, placeholder)
    text = PHONE.sub("***", text)
    return EMAIL.sub("***", text)


def faq_draft(question: Question) -> dict:
    """The anonymised texts staff start from when publishing ``question``."""
    messages = list(question.messages.order_by("at", "id"))
    asked = "\n\n".join(m.body for m in messages if m.kind != QuestionMessage.Kind.ANSWER)
    answers = "\n\n".join(m.body for m in messages if m.kind == QuestionMessage.Kind.ANSWER)
    ent = question.enterprise
    return {"title": anonymise(question.title, ent), "question_text": anonymise(asked, ent),
            "answer_text": anonymise(answers, ent)}


@transaction.atomic
def question_publish(*, user, question: Question, title: str = "", question_text: str = "", answer_text: str = "",
                     public: bool = True) -> FaqEntry:
    """Publish an answered question in the FAQ. Texts staff edited are anonymised once more, so a name
    left in by mistake is still taken out."""
    question = _locked(question)
    if not (access.may_answer(user, question) and access.is_staff(user)):
        raise OutreachError(_("You may not publish this question."), 403)
    if question.first_answered_at is None:
        raise OutreachError(_("Only an answered question can be published."), 409)
    if FaqEntry.objects.filter(question=question).exists():
        raise OutreachError(_("This question is already in the FAQ."), 409)
    draft = faq_draft(question)
    ent = question.enterprise
    fields = {key: anonymise((value or "").strip(), ent) or draft[key]
              for key, value in (("title", title), ("question_text", question_text), ("answer_text", answer_text))}
    return FaqEntry.objects.create(question=question, topic=question.topic, public=public, published_by=user,
                                   published_at=clock.now(), **fields)
