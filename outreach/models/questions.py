"""Questions and answers between enterprises and the government (政企互动).

A ``Question`` is asked by an enterprise account, routed by its topic to the bureau or to the
enterprise's township, and carries a thread of ``QuestionMessage``s (the question itself, staff
answers, enterprise replies) with optional ``QuestionAttachment``s. Answering is due by ``due_at``;
an answered question can be published as an anonymised ``FaqEntry``.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Township


class Topic(models.TextChoices):
    PERMIT = "permit", _("discharge permit")
    MONITORING = "monitoring", _("self-monitoring and online monitoring")
    LAW = "law", _("laws and standards")
    WASTE = "waste", _("solid and hazardous waste")
    LOCAL = "local", _("local management (township)")
    OTHER = "other", _("other")


class Route(models.TextChoices):
    BUREAU = "bureau", _("county bureau")
    TOWNSHIP = "township", _("township")


#: Who answers which topic: permits, monitoring and the law are the bureau's; the rest the township's.
TOPIC_ROUTES = {Topic.PERMIT: Route.BUREAU, Topic.MONITORING: Route.BUREAU, Topic.LAW: Route.BUREAU,
                Topic.WASTE: Route.TOWNSHIP, Topic.LOCAL: Route.TOWNSHIP, Topic.OTHER: Route.TOWNSHIP}


class Question(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("waiting for an answer")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="questions", verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="questions", verbose_name=_("township"),
                                 help_text=_("The enterprise's township when it asked."))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="questions_asked",
                                 verbose_name=_("asked by"))
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    route = models.CharField(_("answered by"), max_length=16, choices=Route.choices)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.WAITING, db_index=True)
    asked_at = models.DateTimeField(_("asked at"), db_index=True)
    due_at = models.DateTimeField(_("answer due"), help_text=_("Deadline of the answer awaited now."))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    last_answered_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    answered_late = models.BooleanField(_("an answer came late"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["state", "due_at"], name="question_state_due_idx"),
                   models.Index(fields=["route", "township", "state"], name="question_route_idx")]

    def __str__(self) -> str:
        return self.title


class QuestionMessage(models.Model):
    """One message of a question's thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("question")
        ANSWER = "answer", _("answer")
        REPLY = "reply", _("enterprise reply")

    question = models.ForeignKey(Question, models.CASCADE, related_name="messages", verbose_name=_("question"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("text"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.question_id} {self.kind}"


class QuestionAttachment(models.Model):
    """A file sent with a message (a photo or a PDF); served only through a checked view."""

    message = models.ForeignKey(QuestionMessage, models.CASCADE, related_name="attachments",
                                verbose_name=_("message"))
    file = models.FileField(_("file"), upload_to="questions/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.UniqueConstraint(fields=["message", "sha256"], name="question_attachment_once")]

    def __str__(self) -> str:
        return self.name


class FaqEntry(models.Model):
    """An answered question published for everyone, without anything that names the enterprise."""

    question = models.OneToOneField(Question, models.SET_NULL, null=True, blank=True, related_name="faq_entry",
                                    verbose_name=_("from question"))
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    question_text = models.TextField(_("question (anonymised)"))
    answer_text = models.TextField(_("answer (anonymised)"))
    public = models.BooleanField(_("public"), default=True,
                                 help_text=_("Shown to anyone; otherwise to logged-in users only."))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [models.CheckConstraint(condition=~Q(answer_text=""), name="faq_has_answer")]

    def __str__(self) -> str:
        return self.title
