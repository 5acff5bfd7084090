"""The bulk services write what the one-at-a-time ones write: handlers' steps taken in together
(``work_orders_act``) against ``work_order_act`` / ``work_order_pass_to_grid`` one by one, and answers
to self-check notices taken in together (``rounds_submit_many``) against ``round_submit`` one by one —
states, transitions, audit entries and notices; each batch refused as a whole when one item is invalid."""
import datetime as dt
import re
import uuid

import pytest
from django.db.models import Q

from audit.models import AuditEntry
from core import clock
from dispatch import services
from dispatch.models import LineResult, Round, SelfCheckNotice, Transition, WorkOrder
from dispatch.services import OrderStep, RoundEntry, checklists, rounds_submit_many, work_orders_act
from dispatch.workflow import IllegalTransition, NotAllowed, WorkflowError
from enterprises.models import PermitItem, Role
from notifications.models import Notification
from tests import factories as f

from .conftest import T0

pytestmark = pytest.mark.usefixtures("english")
H = dt.timedelta(hours=1)
SYNCED = T0 + 10 * H


def _open_orders(county, n=3):
    with clock.frozen(T0):
        return [services.work_order_open(source="patrol", title=f"巡查发现问题{k}", enterprise=county.ent_grid)
                for k in range(n)]


def _steps(county, orders):
    """Township accepts #0 and passes it to the grid, which accepts and starts it; the township accepts
    and starts #1 itself and hands #2 back for re-dispatch."""
    c, (first, second, third) = county, [o.pk for o in orders]
    return [OrderStep(order_id=first, action="accept", user=c.officer_a, at=T0 + H),
            OrderStep(order_id=first, action="pass_to_grid", user=c.officer_a, at=T0 + H, grid=c.grid_a),
            OrderStep(order_id=second, action="accept", user=c.officer_a, at=T0 + 2 * H),
            OrderStep(order_id=third, action="return", user=c.officer_a, at=T0 + 3 * H, note="不属本镇"),
            OrderStep(order_id=first, action="accept", user=c.grid_officer, at=T0 + 8 * H),
            OrderStep(order_id=first, action="start", user=c.grid_officer, at=T0 + 8 * H),
            OrderStep(order_id=second, action="start", user=c.officer_a, at=T0 + 9 * H)]


def _order_effects(orders):
    """What the steps left, with each order named by its place in ``orders`` (the ids differ between runs)."""
    place = {o.pk: n for n, o in enumerate(orders)}

    def named(text):
        return re.sub(r"(#|orders/|reassigned:)(\d+)\b", lambda m: f"{m[1]}<{place[int(m[2])]}>", text)

    rows = WorkOrder.objects.filter(pk__in=place)
    return {
        "orders": sorted((place[o.pk], o.state, o.assignee_kind, o.grid_id, o.accepted_at) for o in rows),
        "steps": [(place[t.work_order_id], t.action, t.from_state, t.to_state, t.by_id, t.at, t.note)
                  for t in Transition.objects.filter(work_order__in=place).order_by("work_order_id", "at", "pk")],
        "audit": [(place[int(e.object_id)], e.action, named(e.object_repr), e.changes)
                  for e in AuditEntry.objects.filter(model_label="dispatch.WorkOrder", object_id__in=map(str, place))
                  .order_by("object_id", "pk")],
        "notices": sorted((n.kind, n.user_id, named(n.subject), n.body, named(n.url), named(n.dedup_key), n.source)
                          for n in Notification.objects.filter(kind="workorder_reassigned")),
    }


def test_steps_taken_together_write_what_each_step_writes(county):
    orders = _open_orders(county)
    for step in sorted(_steps(county, orders), key=lambda s: s.at):  # the same steps, one by one as they happened
        with clock.frozen(step.at):
            if step.action == "pass_to_grid":
                services.work_order_pass_to_grid(order_id=step.order_id, user=step.user, grid=step.grid)
            else:
                services.work_order_act(order_id=step.order_id, action=step.action, user=step.user, note=step.note)
    one_by_one = _order_effects(orders)
    Notification.objects.all().delete(), AuditEntry.objects.all().delete(), WorkOrder.objects.all().delete()

    orders = _open_orders(county)
    with clock.frozen(SYNCED):
        moved = work_orders_act(steps=_steps(county, orders))
    assert _order_effects(orders) == one_by_one
    assert [o.pk for o in moved] == sorted(o.pk for o in orders)
    assert len(one_by_one["steps"]) == len(one_by_one["audit"]) == 3 * 2 + 7  # opened and dispatched, then the steps
    assert one_by_one["orders"] == [
        (0, "handling", "grid", county.grid_a.pk, T0 + 8 * H), (1, "handling", "township", None, T0 + 2 * H),
        (2, "discovered", "township", None, None)]
    assert [(u, s) for _k, u, s, *_rest in one_by_one["notices"]] == [
        (county.grid_officer.pk, "Work order #<0> passed to your grid: 巡查发现问题0")]
    batch_entries = AuditEntry.objects.filter(source="work_orders_act")
    assert batch_entries.count() == 7 and set(batch_entries.values_list("at", flat=True)) == {SYNCED}


def test_one_refused_step_refuses_the_batch(county):
    c = county
    first, second, _third = _open_orders(county)
    before = Transition.objects.count()
    accept = OrderStep(order_id=first.pk, action="accept", user=c.officer_a)
    other_grid = f.grid(f.village(c.town_b))
    refused = [
        (IllegalTransition, OrderStep(order_id=second.pk, action="start", user=c.officer_a)),  # not accepted yet
        (NotAllowed, OrderStep(order_id=second.pk, action="accept", user=c.officer_b)),  # another township's
        (NotAllowed, OrderStep(order_id=second.pk, action="pass_to_grid", user=c.grid_officer, grid=c.grid_a)),
        (WorkflowError, OrderStep(order_id=second.pk, action="pass_to_grid", user=c.officer_a, grid=other_grid)),
        (WorkflowError, OrderStep(order_id=second.pk, action="close", user=c.bureau)),  # the reviewer's, online
    ]
    for error, step in refused:
        with clock.frozen(SYNCED), pytest.raises(error):
            work_orders_act(steps=[accept, step])
    with clock.frozen(SYNCED), pytest.raises(WorkflowError, match="cannot be taken in a batch"):
        work_orders_act(steps=[accept, OrderStep(order_id=second.pk, action="feed_back", user=c.officer_a)])
    assert Transition.objects.count() == before
    assert set(WorkOrder.objects.values_list("state", flat=True)) == {"dispatched"}
    assert not AuditEntry.objects.filter(source="work_orders_act").exists()
    assert not Notification.objects.filter(kind="workorder_reassigned").exists()


@pytest.fixture
def notices(county):
    """This month's self-check notices to two enterprises of town A with the same permit content."""
    twin = f.enterprise(county.town_a)
    accounts = {county.ent_a.pk: county.ent_user, twin.pk: f.user(Role.ENTERPRISE, enterprise=twin)}
    for enterprise in (county.ent_a, twin):
        permit = f.permit(enterprise)
        for cat, title in [("records", "环境管理台账"), ("noise", "厂界噪声"), ("solid_waste", "一般固废台账")]:
            PermitItem.objects.create(permit=permit, category=cat, title=title)
    with clock.frozen(T0):
        checklists.self_check_notices_issue(enterprises=[county.ent_a, twin], batch="2026-03",
                                            due_at=T0 + dt.timedelta(days=7))
    by_enterprise = {n.enterprise_id: n for n in SelfCheckNotice.objects.select_related("checklist")}
    return [(by_enterprise[e.pk], accounts[e.pk]) for e in (county.ent_a, twin)]


def _answers(checklist, fail_seq=()):
    return [{"line": line.pk, "result": "fail" if line.seq in fail_seq else "pass",
             "note": "台账记录不全" if line.seq in fail_seq else ""} for line in checklist.lines.all()]


def _self_check_effects(notice):
    notice.refresh_from_db()
    rnd = Round.objects.get(notice=notice)
    orders = WorkOrder.objects.filter(enterprise=notice.enterprise_id).order_by("pk")
    return {
        "round": (rnd.kind, rnd.submitted_at, rnd.performed_by.role, rnd.township_id),
        "completed_at": notice.completed_at,
        "results": [(r.line.seq, r.result, r.note, r.work_order is not None)
                    for r in LineResult.objects.filter(round=rnd).select_related("line")],
        "orders": [(o.source, o.state, o.assignee_kind, o.title, o.description, o.opened_at, o.accept_due_at,
                    o.opened_by.role) for o in orders],
        "steps": [(t.action, t.from_state, t.to_state, t.at, t.by_id is not None)
                  for t in Transition.objects.filter(work_order__in=orders).order_by("work_order_id", "pk")],
        "created": sorted(AuditEntry.objects.filter(
            Q(model_label="dispatch.Round", object_id=str(rnd.pk))
            | Q(model_label="dispatch.WorkOrder", object_id__in=[str(o.pk) for o in orders]),
            action="create").values_list("model_label", flat=True)),
        "notices": sorted(Notification.objects.filter(url__regex=rf"/orders/({'|'.join(str(o.pk) for o in orders)})/$")
                          .values_list("kind", "user_id")),
    }


def test_self_checks_taken_together_write_what_each_submission_writes(county, notices):
    (alone, alone_user), (batched, batched_user) = notices
    answered_at = T0 + dt.timedelta(days=2, hours=3)
    with clock.frozen(answered_at):
        checklists.round_submit(kind="self_check", checklist=alone.checklist, notice=alone, user=alone_user,
                                answers=_answers(alone.checklist, fail_seq={2}), client_uuid=uuid.uuid4())
    entry = RoundEntry(checklist=batched.checklist, notice=batched, user=batched_user, submitted_at=answered_at,
                       answers=_answers(batched.checklist, fail_seq={2}), client_uuid=uuid.uuid4())
    with clock.frozen(answered_at + 5 * H):  # taken in that evening
        [rnd] = rounds_submit_many(kind="self_check", entries=[entry])
    one_by_one, together = _self_check_effects(alone), _self_check_effects(batched)
    assert together == one_by_one
    assert together["completed_at"] == answered_at and together["round"][0] == "self_check"
    assert [r[1] for r in together["results"]] == ["pass", "fail", "pass"] and len(together["orders"]) == 1
    assert together["notices"] == [("workorder_dispatched", county.officer_a.pk)]

    with clock.frozen(answered_at + 6 * H):  # the same sync again: the first round, nothing new
        assert [r.pk for r in rounds_submit_many(kind="self_check", entries=[entry])] == [rnd.pk]
    assert Round.objects.count() == 2 and WorkOrder.objects.count() == 2


def test_a_self_check_batch_refuses_a_wrong_or_answered_notice(county, notices):
    (first, first_user), (second, second_user) = notices

    def entry(notice, user, checklist=None):
        checklist = checklist or notice.checklist
        return RoundEntry(checklist=checklist, notice=notice, user=user, answers=_answers(checklist),
                          client_uuid=uuid.uuid4())

    with clock.frozen(T0 + H):
        with pytest.raises(WorkflowError, match="does not belong"):
            rounds_submit_many(kind="self_check", entries=[entry(first, first_user), entry(first, second_user,
                                                                                         second.checklist)])
        with pytest.raises(NotAllowed):  # another enterprise's account
            rounds_submit_many(kind="self_check", entries=[entry(second, first_user)])
        with pytest.raises(WorkflowError, match="already answered"):  # twice in one batch
            rounds_submit_many(kind="self_check", entries=[entry(first, first_user), entry(first, first_user)])
        with pytest.raises(NotAllowed):  # an enterprise does not inspect itself
            rounds_submit_many(kind="inspection", entries=[entry(first, first_user)])
        assert Round.objects.count() == 0 and SelfCheckNotice.objects.filter(completed_at__isnull=False).count() == 0
        rounds_submit_many(kind="self_check", entries=[entry(first, first_user)])
        with pytest.raises(WorkflowError, match="already answered"):  # answered before, by another submission
            rounds_submit_many(kind="self_check", entries=[entry(first, first_user)])
    assert Round.objects.count() == 1
    assert list(SelfCheckNotice.objects.filter(completed_at__isnull=False).values_list("pk", flat=True)) == [first.pk]
