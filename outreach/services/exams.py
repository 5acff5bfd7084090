"""Online exams: build an exam from the bank, start an attempt, submit the answer sheet, allow a retake.

Scoring is on the server: a question counts when the chosen options are exactly its correct ones;
the score is 100 × correct ÷ questions, one decimal. Answers that arrive after the attempt's deadline
(start + time limit, plus ``GRACE`` for the network) are refused and the attempt ends as expired.
An enterprise has one attempt, plus one per retake staff granted.
"""
import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from enterprises import jurisdiction

from .. import access
from ..models import Attempt, AttemptAnswer, BankQuestion, Exam, ExamItem, RetakeGrant
from .errors import OutreachError

GRACE = timedelta(seconds=30)


def bank_question_check(*, kind: str, options: list, correct: list) -> None:
    """Refuse a bank question whose options and correct answers do not fit its kind."""
    if kind not in BankQuestion.Kind.values:
        raise OutreachError(_("Unknown question kind."))
    if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and o for o in options):
        raise OutreachError(_("A question needs at least two options."))
    if kind == BankQuestion.Kind.TRUE_FALSE and len(options) != 2:
        raise OutreachError(_("A true/false question has exactly two options."))
    if not isinstance(correct, list) or not correct or len(set(correct)) != len(correct) or \
            not all(isinstance(i, int) and 0 <= i < len(options) for i in correct):
        raise OutreachError(_("The correct options must be indices of the options."))
    if kind != BankQuestion.Kind.MULTIPLE and len(correct) != 1:
        raise OutreachError(_("This kind of question has exactly one correct option."))


@transaction.atomic
def exam_create(*, user, title: str, time_limit_minutes: int, opens_at, closes_at, count: int, topic: str = "",
                description: str = "", seed: int | None = None) -> Exam:
    """An exam of ``count`` questions drawn at random from the active bank (of ``topic`` if given)."""
    if not access.may_publish(user):
        raise OutreachError(_("Only bureau staff set exams."), 403)
    if closes_at <= opens_at:
        raise OutreachError(_("The exam must close after it opens."))
    if not 1 <= time_limit_minutes <= 600:
        raise OutreachError(_("The time limit must be between 1 and 600 minutes."))
    pool = BankQuestion.objects.filter(active=True)
    if topic:
        pool = pool.filter(topic=topic)
    ids = list(pool.order_by("pk").values_list("pk", flat=True))
    if count < 1 or count > len(ids):
        raise OutreachError(_("The bank has %(n)d matching questions.") % {"n": len(ids)})
    drawn = random.Random(seed).sample(ids, count)
    exam = Exam.objects.create(title=title, description=description, time_limit_minutes=time_limit_minutes,
                               opens_at=opens_at, closes_at=closes_at, created_by=user, created_at=clock.now())
    ExamItem.objects.bulk_create([ExamItem(exam=exam, question_id=pk, seq=n) for n, pk in enumerate(drawn, 1)])
    return exam


def attempts_allowed(exam: Exam, enterprise_id: int) -> int:
    return 1 + RetakeGrant.objects.filter(exam=exam, enterprise_id=enterprise_id).count()


def expire_overdue(exam: Exam | None = None) -> int:
    """End every attempt whose deadline passed without a submission (score 0). Returns how many."""
    qs = Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline_at__lt=clock.now() - GRACE)
    if exam is not None:
        qs = qs.filter(exam=exam)
    return qs.update(state=Attempt.State.EXPIRED, score=Decimal("0.0"))


@transaction.atomic
def attempt_start(*, user, exam: Exam, taker_name: str = "") -> Attempt:
    """Start (or continue) the enterprise's attempt at ``exam``."""
    if not access.is_enterprise(user):
        raise OutreachError(_("Only an enterprise account takes exams."), 403)
    now = clock.now()
    if not exam.opens_at <= now < exam.closes_at:
        raise OutreachError(_("The exam is not open now."), 409)
    expire_overdue(exam)
    enterprise = user.enterprise
    current = Attempt.objects.filter(exam=exam, enterprise=enterprise, state=Attempt.State.IN_PROGRESS).first()
    if current is not None:
        return current
    taken = Attempt.objects.filter(exam=exam, enterprise=enterprise).count()
    if taken >= attempts_allowed(exam, enterprise.pk):
        raise OutreachError(_("Your enterprise has already taken this exam."), 409)
    taker = (taker_name or enterprise.contact_name or user.get_full_name() or user.username).strip()[:64]
    try:
        with transaction.atomic():
            return Attempt.objects.create(exam=exam, enterprise=enterprise, number=taken + 1, user=user,
                                          taker_name=taker, started_at=now,
                                          deadline_at=now + timedelta(minutes=exam.time_limit_minutes))
    except IntegrityError:  # a second tab started at the same moment
        raise OutreachError(_("Your enterprise has already taken this exam."), 409) from None


def _normalise(chosen) -> list[int]:
    if chosen is None or chosen == "":
        return []
    if isinstance(chosen, (int, str)):
        chosen = [chosen]
    try:
        return sorted({int(c) for c in chosen})
    except (TypeError, ValueError):
        raise OutreachError(_("An answer must be a list of option numbers.")) from None


def attempt_submit(*, user, attempt: Attempt, answers: dict) -> Attempt:
    """Score the answer sheet ``answers`` ({exam item id: [chosen option indices]}) of ``attempt``.
    Too late, the attempt is saved as expired before the refusal is raised."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
        if not access.is_enterprise(user) or user.enterprise_id != attempt.enterprise_id:
            raise OutreachError(_("This is not your enterprise's attempt."), 403)
        if attempt.state != Attempt.State.IN_PROGRESS:
            raise OutreachError(_("This attempt is already over."), 409)
        now = clock.now()
        if now <= attempt.deadline_at + GRACE:
            return _score(attempt, answers, now)
        attempt.state, attempt.score = Attempt.State.EXPIRED, Decimal("0.0")
        attempt.save(update_fields=["state", "score"])
    raise OutreachError(_("The time limit has passed; the answers were not accepted."), 409)


def _score(attempt: Attempt, answers: dict, now) -> Attempt:
    items = list(ExamItem.objects.filter(exam=attempt.exam).select_related("question"))
    known = {item.pk for item in items}
    try:
        sheet = {int(key): _normalise(value) for key, value in (answers or {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise OutreachError(_("The answer sheet names a question that is not in this exam.")) from None
    if set(sheet) - known:
        raise OutreachError(_("The answer sheet names a question that is not in this exam."))
    rows = []
    for item in items:
        chosen = sheet.get(item.pk, [])
        if any(not 0 <= c < len(item.question.options) for c in chosen):
            raise OutreachError(_("An answer names an option the question does not have."))
        rows.append(AttemptAnswer(attempt=attempt, item=item, chosen=chosen,
                                  is_correct=chosen == sorted(item.question.correct)))
    AttemptAnswer.objects.bulk_create(rows)
    attempt.correct_count = sum(row.is_correct for row in rows)
    attempt.score = (Decimal(100 * attempt.correct_count) / len(items)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    attempt.state, attempt.submitted_at = Attempt.State.SCORED, now
    attempt.save(update_fields=["correct_count", "score", "state", "submitted_at"])
    return attempt


def retake_grant(*, user, exam: Exam, enterprise) -> RetakeGrant:
    if not access.is_staff(user) or not jurisdiction.can_access_enterprise(user, enterprise):
        raise OutreachError(_("You may not allow a retake for this enterprise."), 403)
    return RetakeGrant.objects.create(exam=exam, enterprise=enterprise, granted_by=user, granted_at=clock.now())
