"""Patrols taken in together (``rounds_submit_many``): the same rounds, line results, work orders, steps,
audit entries and handlers' notices as one ``round_submit`` each, orders opened at each patrol's time,
idempotent on the client UUIDs, refused as a whole when one entry is invalid."""
import datetime as dt
import uuid

import pytest

from audit.models import AuditEntry
from core import clock
from dispatch.models import LineResult, Round, Transition, WorkOrder
from dispatch.services import RoundEntry, checklists, rounds_submit_many
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises.models import PermitItem, Role
from notifications.models import Notification
from tests import factories as f

from .conftest import T0

pytestmark = pytest.mark.usefixtures("english")


def _checklist(enterprise):
    permit = f.permit(enterprise)
    for cat, title in [("records", "环境管理台账"), ("noise", "厂界噪声"), ("solid_waste", "一般固废台账")]:
        PermitItem.objects.create(permit=permit, category=cat, title=title)
    return checklists.checklist_build(permit=permit)


def _answers(checklist, fail_seq=()):
    return [{"line": line.pk, "result": "fail" if line.seq in fail_seq else "pass",
             "note": "台账记录不全" if line.seq in fail_seq else ""} for line in checklist.lines.all()]


def _effects():
    return {"rounds": Round.objects.count(), "results": LineResult.objects.count(),
            "failed": LineResult.objects.filter(result="fail", work_order__isnull=False).count(),
            "orders": WorkOrder.objects.count(), "steps": sorted(Transition.objects.values_list("action", flat=True)),
            "audited": sorted(AuditEntry.objects.filter(action="create", model_label__startswith="dispatch.")
                              .values_list("model_label", flat=True)),
            "notices": Notification.objects.filter(kind="workorder_dispatched").count()}


def test_a_batch_writes_what_one_submission_each_writes(county):
    per_row, batch = _checklist(county.ent_a), _checklist(county.ent_grid)
    with clock.frozen(T0):
        checklists.round_submit(kind="patrol", checklist=per_row, user=county.officer_a,
                                answers=_answers(per_row, fail_seq={1, 3}), client_uuid=uuid.uuid4())
        checklists.round_submit(kind="patrol", checklist=per_row, user=county.officer_a,
                                answers=_answers(per_row), client_uuid=uuid.uuid4())
    one_by_one = _effects()
    Notification.objects.all().delete(), AuditEntry.objects.all().delete()
    LineResult.objects.all().delete(), Transition.objects.all().delete()
    WorkOrder.objects.all().delete(), Round.objects.all().delete()

    done_at = T0 - dt.timedelta(days=3, hours=5)  # kept offline three days, synced at T0
    entries = [RoundEntry(checklist=batch, user=county.grid_officer, answers=_answers(batch, fail_seq={1, 3}),
                          client_uuid=uuid.uuid4(), submitted_at=done_at),
               RoundEntry(checklist=batch, user=county.grid_officer, answers=_answers(batch),
                          client_uuid=uuid.uuid4(), submitted_at=done_at + dt.timedelta(hours=2))]
    with clock.frozen(T0):
        rounds = rounds_submit_many(kind="patrol", entries=entries)
    assert _effects() == one_by_one
    assert [r.submitted_at for r in rounds] == [done_at, done_at + dt.timedelta(hours=2)]
    orders = WorkOrder.objects.order_by("pk")
    assert {(o.source, o.state, o.assignee_kind, o.opened_at, o.opened_by_id) for o in orders} == {
        ("patrol", "dispatched", "township", done_at, county.grid_officer.pk)}
    assert all(o.accept_due_at == done_at + dt.timedelta(days=1) for o in orders)
    assert set(Transition.objects.filter(action="open").values_list("by", flat=True)) == {county.grid_officer.pk}
    failed = LineResult.objects.filter(result="fail").select_related("work_order", "line").order_by("line__seq")
    assert [r.work_order.source_ref for r in failed] == [f"round:{rounds[0].pk}:line:{r.line_id}" for r in failed]

    with clock.frozen(T0):  # the device retries the same sync: nothing new
        again = rounds_submit_many(kind="patrol", entries=entries)
    assert [r.pk for r in again] == [r.pk for r in rounds] and _effects() == one_by_one


def test_one_invalid_entry_refuses_the_batch(county):
    checklist = _checklist(county.ent_a)
    good = RoundEntry(checklist=checklist, user=county.officer_a, answers=_answers(checklist, fail_seq={1}),
                      client_uuid=uuid.uuid4())
    unanswered = RoundEntry(checklist=checklist, user=county.officer_a, answers=_answers(checklist)[:-1],
                            client_uuid=uuid.uuid4())
    with pytest.raises(WorkflowError, match="not answered"):
        rounds_submit_many(kind="patrol", entries=[good, unanswered])
    stranger = RoundEntry(checklist=checklist, user=county.officer_b, answers=_answers(checklist),
                          client_uuid=uuid.uuid4())
    with pytest.raises(NotAllowed):
        rounds_submit_many(kind="patrol", entries=[good, stranger])
    with pytest.raises(NotAllowed):  # a township officer patrols, does not inspect
        rounds_submit_many(kind="inspection", entries=[good])
    with pytest.raises(WorkflowError, match="Unknown kind"):
        rounds_submit_many(kind="visit", entries=[good])
    askew = RoundEntry(checklist=checklist, user=county.officer_a, answers=_answers(checklist),
                       client_uuid=uuid.uuid4(), latitude=30.6)
    with pytest.raises(WorkflowError, match="GPS"):
        rounds_submit_many(kind="patrol", entries=[good, askew])
    assert Round.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_inspections_in_a_batch_record_what_one_by_one_records(county):
    """Officers present, note, case lead and position, and the failed lines' orders from the inspection."""
    def inspection_facts():
        return sorted((r.enterprise_id, r.note, r.case_lead, r.latitude, r.longitude, r.submitted_at,
                       tuple(sorted(r.officers.values_list("pk", flat=True))),
                       tuple(sorted(WorkOrder.objects.filter(source_ref__startswith=f"round:{r.pk}:")
                                    .values_list("source", "opened_by", "opened_at"))))
                      for r in Round.objects.filter(kind="inspection"))

    checklist, second = _checklist(county.ent_b), f.user(Role.ENFORCEMENT)
    done_at = T0 - dt.timedelta(hours=4)
    kw = dict(user=county.inspector, officers=[second], note="雨污分流不彻底", case_lead=True,
              latitude=30.61, longitude=120.52)
    with clock.frozen(done_at):
        checklists.round_submit(kind="inspection", checklist=checklist, answers=_answers(checklist, fail_seq={2}),
                                client_uuid=uuid.uuid4(), **kw)
    one_by_one = inspection_facts()
    assert one_by_one[0][6] == tuple(sorted([county.inspector.pk, second.pk]))
    assert one_by_one[0][7] == (("inspection", county.inspector.pk, done_at),)
    WorkOrder.objects.all().delete(), Round.objects.all().delete()
    kw["officers"] = tuple(kw["officers"])
    with clock.frozen(T0):
        rounds_submit_many(kind="inspection", entries=[RoundEntry(
            checklist=checklist, answers=_answers(checklist, fail_seq={2}), client_uuid=uuid.uuid4(),
            submitted_at=done_at, **kw)])
    assert inspection_facts() == one_by_one
