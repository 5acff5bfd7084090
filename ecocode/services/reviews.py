"""Objections (异议) and credit repair (信用修复): the enterprise contests or asks to lift a deduction,
township or bureau staff decide within a deadline, and an accepted decision rescores at once.

Rules of credit repair (also shown to the enterprise):

* only a deduction of the enterprise's current score, and not of a red-capped indicator (operating
  without a permit, falsified data: serious dishonesty is lifted only when its window ends);
* after the violation is corrected (what was done, when, with evidence attached) and a waiting
  period has passed since its latest record: ``WAIT_DAYS`` days, ``WAIT_DAYS_CAPPED`` for an indicator
  that caps the colour;
* one open application or objection per deduction.

Every save goes through the model (the audit app records each change with its actor) and the
enterprise sees its applications, the decisions and their reasons.
"""
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core import clock
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role

from ..models import CreditRepair, EcoCode, Objection, ReviewAttachment, ScoringRun
from ..models.catalogue import Colour

REVIEW_DAYS = 15  # the township or bureau decides within this many days
WAIT_DAYS = 90
WAIT_DAYS_CAPPED = 180
MIN_REASON = 10
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024


def deduction_of(enterprise: Enterprise, code: str) -> tuple:
    """(latest score, its explanation entry for ``code``) or ValidationError when it costs nothing now."""
    code_row = EcoCode.objects.filter(enterprise=enterprise).select_related("latest").first()
    score = code_row.latest if code_row else None
    entry = next((e for e in (score.explanation if score else []) if e["code"] == code and e["points"] > 0), None)
    if entry is None:
        raise ValidationError(_("This indicator costs no points in the current score: there is nothing to contest."))
    return score, entry


def _open_exists(enterprise, code) -> bool:
    return any(model.objects.filter(enterprise=enterprise, indicator_code=code, state="submitted").exists()
               for model in (Objection, CreditRepair))


def _check_files(files) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError(_("At most %(n)s attachments.") % {"n": MAX_FILES})
    for f in files:
        if f.size > MAX_FILE_BYTES:
            raise ValidationError(_("The attachment “%(name)s” is larger than 10 MB.") % {"name": f.name})


def _attach(files, **owner) -> None:
    now = clock.now()
    for f in files:
        ReviewAttachment.objects.create(file=f, name=f.name[:200], uploaded_at=now, **owner)


def _check_reasons(reasons: str) -> str:
    reasons = (reasons or "").strip()
    if len(reasons) < MIN_REASON:
        raise ValidationError(_("Please state your reasons (at least %(n)s characters).") % {"n": MIN_REASON})
    return reasons


def objection_submit(*, enterprise: Enterprise, code: str, reasons: str, files=(), user) -> Objection:
    """The enterprise objects to the deduction ``code`` of its current score."""
    score, entry = deduction_of(enterprise, code)
    reasons = _check_reasons(reasons)
    files = list(files)
    _check_files(files)
    if _open_exists(enterprise, code):
        raise ValidationError(_("This deduction already has an objection or credit-repair application awaiting review."))
    now = clock.now()
    with transaction.atomic():
        objection = Objection.objects.create(
            enterprise=enterprise, score=score, indicator_code=code, episodes=[r["ep"] for r in entry["records"]],
            reasons=reasons, submitted_by=user, submitted_at=now, review_due_at=now + dt.timedelta(days=REVIEW_DAYS))
        _attach(files, objection=objection)
    return objection


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reasons: tuple[str, ...]
    earliest: dt.date | None = None


def repair_eligibility(enterprise: Enterprise, code: str, *, today: dt.date | None = None) -> Eligibility:
    """Whether the deduction ``code`` may be repaired now, and if not why (in the active language)."""
    today = today or timezone.localdate(clock.now())
    try:
        entry = deduction_of(enterprise, code)[1]
    except ValidationError as exc:
        return Eligibility(False, tuple(exc.messages))
    why = []
    if entry["cap"] == Colour.RED:
        why.append(_("Serious dishonesty (an indicator capping the colour at red) cannot be repaired: it is lifted only when its window ends."))
    wait = WAIT_DAYS_CAPPED if entry["cap"] else WAIT_DAYS
    dates = [dt.date.fromisoformat(r["at"][:10]) for r in entry["records"] if r.get("at")]
    earliest = (max(dates) + dt.timedelta(days=wait)) if dates else None
    if earliest and today < earliest:
        why.append(_("An application is possible %(days)s days after the latest record (from %(date)s).") % {
                   "days": wait, "date": f"{earliest:%Y-%m-%d}"})
    if _open_exists(enterprise, code):
        why.append(_("This deduction already has an objection or credit-repair application awaiting review."))
    return Eligibility(not why, tuple(why), earliest)


def repair_apply(*, enterprise: Enterprise, code: str, correction: str, corrected_on: dt.date, reasons: str,
                 files=(), user) -> CreditRepair:
    """The enterprise applies to lift the corrected deduction ``code`` (rules in the module docstring)."""
    eligibility = repair_eligibility(enterprise, code)
    if not eligibility.ok:
        raise ValidationError(list(eligibility.reasons))
    correction = (correction or "").strip()
    if len(correction) < MIN_REASON:
        raise ValidationError(_("Please describe the correction (at least %(n)s characters).") % {"n": MIN_REASON})
    if corrected_on > timezone.localdate(clock.now()):
        raise ValidationError(_("The date of the correction cannot be later than today."))
    files = list(files)
    if not files:
        raise ValidationError(_("Please attach the evidence that the correction is done."))
    _check_files(files)
    score, entry = deduction_of(enterprise, code)
    now = clock.now()
    with transaction.atomic():
        repair = CreditRepair.objects.create(
            enterprise=enterprise, score=score, indicator_code=code, episodes=[r["ep"] for r in entry["records"]],
            reasons=_check_reasons(reasons), correction=correction, corrected_on=corrected_on, submitted_by=user,
            submitted_at=now, review_due_at=now + dt.timedelta(days=REVIEW_DAYS))
        _attach(files, repair=repair)
    return repair


def can_review(user, enterprise: Enterprise) -> bool:
    """Township officers of the enterprise's township and bureau staff decide."""
    if not getattr(user, "is_authenticated", False):
        return False
    if jurisdiction.is_bureau(user):
        return True
    return user.role == Role.TOWNSHIP and jurisdiction.can_access_enterprise(user, enterprise)


def decide(review, *, user, accept: bool, reason: str):
    """Record the decision on an objection or repair application; an accepted one rescores at once."""
    from .scoring import score_enterprise

    if not can_review(user, review.enterprise):
        raise PermissionDenied
    if review.state != review.State.SUBMITTED:
        raise ValidationError(_("This application has already been decided."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(_("Please state the reason for the decision."))
    with transaction.atomic():
        review.state = review.State.ACCEPTED if accept else review.State.REJECTED
        review.reviewed_by, review.reviewed_at, review.decision_reason = user, clock.now(), reason
        review.save(update_fields=["state", "reviewed_by", "reviewed_at", "decision_reason"])
        if accept:
            review.rescore = score_enterprise(review.enterprise, trigger=ScoringRun.Trigger.REVIEW)
            review.save(update_fields=["rescore"])
    return review


def relieved_episodes(enterprise_ids=None) -> dict[int, dict[str, str]]:
    """Per enterprise, the episode keys relieved by an accepted objection or approved repair, each with
    what relieved it (e.g. "objection #12", in the active language). Two queries, whatever the number of enterprises."""
    out: dict[int, dict[str, str]] = {}
    for model, label in ((Objection, N_("objection #%(n)s")), (CreditRepair, N_("credit repair #%(n)s"))):
        rows = model.objects.filter(state="accepted")
        if enterprise_ids is not None:
            rows = rows.filter(enterprise_id__in=enterprise_ids)
        for eid, pk, episodes in rows.values_list("enterprise_id", "pk", "episodes"):
            for ep in episodes:
                out.setdefault(eid, {}).setdefault(ep, _(label) % {"n": pk})
    return out
