"""Set-based submission of many rounds at once (a grid officer's device syncing the patrols it kept
offline, the answers to a month's self-check notices, a month's on-site inspections, the demo's year of
patrols): the checks and effects of ``round_submit`` — idempotent on each client UUID, every line
answered, a failed line needs a note and opens a dispatched work order, a self-check answers its notice
once and completes it, an inspection records the officers present — in a few statements for the batch:
the rounds, their officers, their line results, the orders with their open and dispatch steps (from the
time each round was done), the notices' completion, the audit entries and the handlers' notices."""
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.escalation import Escalation
from enterprises.models import Enterprise
from enterprises.signals import created_changes, rows_written

from ..models import Checklist, ChecklistLine, LineResult, Round, SelfCheckNotice
from ..workflow import NotAllowed, WorkflowError
from .checklists import ROUND_SOURCE, checked_answers, checked_position, failed_title, may_perform
from .escalations import orders_open_many


@dataclass(frozen=True)
class RoundEntry:
    """One filled checklist of a batch; ``submitted_at``: when it was done, if synced later (else now);
    ``notice``: the self-check notice it answers; the rest as ``round_submit`` takes them (``officers``:
    those present at an inspection besides the user)."""

    checklist: Checklist
    user: object
    answers: list[dict]
    client_uuid: uuid.UUID
    submitted_at: dt.datetime | None = None
    notice: SelfCheckNotice | None = None
    officers: tuple = ()
    note: str = ""
    case_lead: bool = False
    latitude: float | None = None
    longitude: float | None = None


def rounds_submit_many(*, kind: str, entries: list[RoundEntry]) -> list[Round]:
    """Take in many rounds of ``kind``. Returns the rounds in the order given; an entry whose client
    UUID was submitted before gets the first round. All or nothing: one invalid entry refuses the batch."""
    if kind not in Round.Kind.values:
        raise WorkflowError(_("Unknown kind of round."))
    uuids = [uuid.UUID(str(e.client_uuid)) for e in entries]
    done = {r.client_uuid: r for r in Round.objects.filter(client_uuid__in=uuids)}
    checklist_ids = {e.checklist.pk for e in entries}
    enterprises = Enterprise.objects.in_bulk({e.checklist.enterprise_id for e in entries})
    lines = defaultdict(dict)
    for line in ChecklistLine.objects.filter(checklist__in=checklist_ids):
        lines[line.checklist_id][line.pk] = line
    now = clock.now()
    fresh, seen = [], set(done)
    for entry, client_uuid in zip(entries, uuids):
        if client_uuid in seen:
            continue
        seen.add(client_uuid)
        enterprise = enterprises[entry.checklist.enterprise_id]
        if not may_perform(entry.user, kind, enterprise):
            raise NotAllowed(_("You may not submit this kind of round for this enterprise."))
        checked_position(entry.latitude, entry.longitude)
        given = checked_answers(lines[entry.checklist.pk], entry.answers)
        fresh.append((entry, client_uuid, enterprise, given, entry.submitted_at or now))
    _check_notices(kind, [entry for entry, *_rest in fresh])
    with transaction.atomic():
        rounds = Round.objects.bulk_create([
            Round(kind=kind, checklist=entry.checklist, enterprise=enterprise, township_id=enterprise.township_id,
                  client_uuid=client_uuid, notice=entry.notice, performed_by=entry.user, submitted_at=at,
                  note=entry.note, case_lead=entry.case_lead, latitude=entry.latitude, longitude=entry.longitude)
            for entry, client_uuid, enterprise, _given, at in fresh], batch_size=1000)
        if kind == Round.Kind.INSPECTION:
            Round.officers.through.objects.bulk_create(
                Round.officers.through(round_id=rnd.pk, user_id=officer)
                for rnd, (entry, *_rest) in zip(rounds, fresh)
                for officer in sorted({entry.user.pk, *(o.pk for o in entry.officers)}))
        rows_written.send(sender=Round, changes=created_changes(rounds), source="rounds_submit_many")
        openings, results = [], []
        for rnd, (entry, _uuid, enterprise, given, at) in zip(rounds, fresh):
            for pk, answer in given.items():
                line = lines[entry.checklist.pk][pk]
                note = (answer.get("note") or "").strip()
                results.append(LineResult(round=rnd, line=line, result=answer["result"], note=note))
                if answer["result"] == LineResult.Result.FAIL:
                    openings.append((Escalation(
                        source=ROUND_SOURCE[kind], source_ref=f"round:{rnd.pk}:line:{pk}", enterprise=enterprise,
                        title=failed_title(rnd, line), description=f"{line.requirement}\n{note}".strip(),
                        evidence={"round": rnd.pk, "line": pk, "checklist": entry.checklist.pk}), at, entry.user))
        orders = iter(orders_open_many(openings, source="rounds_submit_many"))
        for result in results:
            if result.result == LineResult.Result.FAIL:
                result.work_order = next(orders)
        LineResult.objects.bulk_create(results, batch_size=2000)
        answered = {entry.notice.pk: at for entry, _uuid, _enterprise, _given, at in fresh if entry.notice is not None}
        if answered:  # completed when answered, as one by one
            open_ones = SelfCheckNotice.objects.filter(pk__in=answered, completed_at__isnull=True)
            SelfCheckNotice.objects.bulk_update([SelfCheckNotice(pk=pk, completed_at=answered[pk]) for pk in
                                                 open_ones.values_list("pk", flat=True)], ["completed_at"])
    done.update((r.client_uuid, r) for r in rounds)
    return [done[u] for u in uuids]


def _check_notices(kind: str, entries: list[RoundEntry]) -> None:
    """Each notice answered belongs to its self-check's enterprise and checklist, and is answered once."""
    notices = [e.notice for e in entries if e.notice is not None]
    if not notices:
        return
    for entry in entries:
        notice, checklist = entry.notice, entry.checklist
        if notice is not None and (kind != Round.Kind.SELF_CHECK or notice.enterprise_id != checklist.enterprise_id
                                   or notice.checklist_id != checklist.pk):
            raise WorkflowError(_("The notice does not belong to this self-check."))
    if len({n.pk for n in notices}) < len(notices) or Round.objects.filter(notice__in=notices).exists():
        raise WorkflowError(_("This self-check notice was already answered."))
