"""Online exams: a ``BankQuestion`` bank (single choice, multiple choice, true/false), ``Exam``s drawn
from it with a time limit, and ``Attempt``s by the enterprise's responsible person, scored on the
server. An enterprise has one attempt per exam plus one per ``RetakeGrant`` staff give it."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class BankQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        TRUE_FALSE = "true_false", _("true or false")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"), help_text=_("The list of answer texts; true/false has two."))
    correct = models.JSONField(_("correct options"), help_text=_("Indices (from 0) of the correct options."))
    topic = models.CharField(_("topic"), max_length=64, blank=True, db_index=True)
    explanation = models.TextField(_("explanation"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("bank question")
        verbose_name_plural = _("question bank")

    def __str__(self) -> str:
        return self.text[:60]


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(600)])
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    questions = models.ManyToManyField(BankQuestion, through="ExamItem", related_name="exams",
                                       verbose_name=_("questions"))

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="exam_closes_after_opening")]

    def __str__(self) -> str:
        return self.title


class ExamItem(models.Model):
    exam = models.ForeignKey(Exam, models.CASCADE, related_name="items", verbose_name=_("exam"))
    question = models.ForeignKey(BankQuestion, models.PROTECT, related_name="+", verbose_name=_("question"))
    seq = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        ordering = ["exam", "seq"]
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")
        constraints = [models.UniqueConstraint(fields=["exam", "seq"], name="exam_item_seq_unique"),
                       models.UniqueConstraint(fields=["exam", "question"], name="exam_item_question_unique")]


class RetakeGrant(models.Model):
    """Staff allow an enterprise one more attempt at an exam."""

    exam = models.ForeignKey(Exam, models.CASCADE, related_name="retake_grants", verbose_name=_("exam"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="+", verbose_name=_("enterprise"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        verbose_name = _("retake permission")
        verbose_name_plural = _("retake permissions")


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        SCORED = "scored", _("scored")
        EXPIRED = "expired", _("time limit passed")

    exam = models.ForeignKey(Exam, models.PROTECT, related_name="attempts", verbose_name=_("exam"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="exam_attempts",
                                   verbose_name=_("enterprise"))
    number = models.PositiveSmallIntegerField(_("attempt number"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("account"))
    taker_name = models.CharField(_("taken by (responsible person)"), max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    deadline_at = models.DateTimeField(_("answers due by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        constraints = [models.UniqueConstraint(fields=["exam", "enterprise", "number"], name="attempt_number_unique"),
                       models.UniqueConstraint(fields=["exam", "enterprise"], condition=Q(state="in_progress"),
                                               name="one_attempt_in_progress")]
        indexes = [models.Index(fields=["exam", "state"], name="attempt_exam_state_idx")]

    def __str__(self) -> str:
        return f"{self.exam_id} {self.enterprise_id} #{self.number}"


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, models.CASCADE, related_name="answers", verbose_name=_("attempt"))
    item = models.ForeignKey(ExamItem, models.PROTECT, related_name="+", verbose_name=_("exam question"))
    chosen = models.JSONField(_("chosen options"), default=list)
    is_correct = models.BooleanField(_("correct"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "item"], name="one_answer_per_item")]
