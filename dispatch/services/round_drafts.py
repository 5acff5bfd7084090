"""Rounds filled line by line on the server (``fieldsync.RoundDraft``): start one, answer a line, submit it.

A lost phone or a dropped connection loses nothing: every answer is kept as it arrives. Submitting hands
the answers to ``round_submit`` with the draft's UUID as the round's client UUID and links the draft to
the round in the same transaction, so a retried submit returns the same round.
"""
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.models import Enterprise, Permit
from fieldsync.models import RoundDraft

from ..models import Checklist, Round, SelfCheckNotice
from ..workflow import NotAllowed, WorkflowError
from .checklists import checklist_build, may_perform, round_submit


class RoundConflict(WorkflowError):
    """The round cannot take this (already submitted, id taken, no permit): answered 409."""

    status_code = 409


class ClientUuidTaken(RoundConflict):
    pass


class Submitted(RoundConflict):
    pass


class Completed(RoundConflict):
    pass


class NoValidPermit(RoundConflict):
    pass


def current_checklist(enterprise: Enterprise) -> Checklist:
    """The current checklist of the enterprise's newest valid permit (built if its content changed)."""
    permit = Permit.objects.filter(enterprise=enterprise, status=Permit.Status.VALID).order_by("-issued_on").first()
    if permit is None:
        raise NoValidPermit(_("The enterprise has no valid permit to check against."))
    return checklist_build(permit=permit)


def round_draft_start(*, user, kind: str, enterprise: Enterprise, client_uuid=None) -> tuple[RoundDraft, bool]:
    """Start a patrol, inspection or notice-less self-check of ``enterprise`` on its current checklist;
    a retried start (same ``client_uuid``, same user) returns the first draft."""
    if not may_perform(user, kind, enterprise):
        raise NotAllowed(_("You may not perform this kind of round for this enterprise."))
    return _start(user=user, kind=kind, enterprise=enterprise, checklist=current_checklist(enterprise),
                  client_uuid=client_uuid)


def round_draft_open_notice(*, user, notice: SelfCheckNotice) -> tuple[RoundDraft, bool]:
    """The enterprise opens the self-check of ``notice``: its open draft on the notice's checklist, or a new one."""
    if notice.completed_at is not None:
        raise Completed(_("This self-check was submitted already."))
    if not may_perform(user, Round.Kind.SELF_CHECK, notice.enterprise):
        raise NotAllowed(_("Only the enterprise's own accounts do its self-check."))
    with transaction.atomic():
        SelfCheckNotice.objects.select_for_update().filter(pk=notice.pk).first()
        draft = RoundDraft.objects.filter(notice=notice, started_by=user, submitted_round__isnull=True).first()
        if draft is not None:
            return draft, False
        return _start(user=user, kind=Round.Kind.SELF_CHECK, enterprise=notice.enterprise,
                      checklist=notice.checklist, notice=notice)


def _start(*, user, kind: str, enterprise: Enterprise, checklist: Checklist, notice=None,
           client_uuid=None) -> tuple[RoundDraft, bool]:
    if client_uuid is not None:
        existing = RoundDraft.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.started_by_id != user.pk:
                raise ClientUuidTaken(_("This round id is taken."))
            return existing, False
    now = clock.now()
    extra = {"client_uuid": client_uuid} if client_uuid else {}
    return RoundDraft.objects.create(kind=kind, checklist=checklist, enterprise=enterprise, notice=notice,
                                     started_by=user, started_at=now, updated_at=now, **extra), True


def round_draft_answer(*, draft: RoundDraft, line_id: int, answer: dict) -> RoundDraft:
    """Answer one line of the draft (pass, fail or not applicable, with a note); answering again replaces it."""
    with transaction.atomic():
        draft = RoundDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.submitted_round_id:
            raise Submitted(_("This round was submitted already."))
        draft.answers[str(int(line_id))] = answer
        draft.updated_at = clock.now()
        draft.save(update_fields=["answers", "updated_at"])
    return draft


def round_draft_submit(*, draft: RoundDraft, user, note: str = "", case_lead: bool = False,
                       latitude: float | None = None, longitude: float | None = None) -> tuple[Round, bool]:
    """Submit the draft as a round (every line answered; a failed line needs a note and opens a work order)
    and link the two atomically. Submitting again returns the same round."""
    with transaction.atomic():
        draft = RoundDraft.objects.select_for_update(of=("self",)).select_related("checklist", "notice").get(pk=draft.pk)
        answers = [{"line": int(line_id), **answer} for line_id, answer in draft.answers.items()]
        rnd, created = round_submit(kind=draft.kind, checklist=draft.checklist, user=user, answers=answers,
                                    client_uuid=draft.client_uuid, notice=draft.notice, note=note,
                                    case_lead=case_lead, latitude=latitude, longitude=longitude)
        if draft.submitted_round_id is None:
            draft.submitted_round, draft.updated_at = rnd, clock.now()
            draft.save(update_fields=["submitted_round", "updated_at"])
    return rnd, created
