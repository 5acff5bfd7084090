"""The work-order state machine: every state in order, refused transitions, routing by jurisdiction."""
import datetime as dt

import pytest

from core import clock
from dispatch import services, workflow
from dispatch.models import Transition, WorkOrder
from dispatch.workflow import IllegalTransition, NotAllowed

from .conftest import T0

pytestmark = pytest.mark.usefixtures("english")  # asserts on the English msgids of service errors

S = WorkOrder.State


def clock_hours(n):
    return dt.timedelta(hours=n)


def test_walk_an_order_through_every_state(county):
    c = county
    with clock.frozen(T0) as advance:
        order = services.work_order_open(source="manual", title="废水异味", enterprise=c.ent_a, opened_by=c.bureau)
        assert order.state == S.DISPATCHED and order.assignee_kind == "township" and order.dispatched_at == T0
        advance(clock_hours(2))
        services.work_order_act(order_id=order.pk, action="accept", user=c.officer_a)
        services.work_order_act(order_id=order.pk, action="start", user=c.officer_a, note="到现场")
        feedback, _ = services.feedback_submit(order_id=order.pk, user=c.officer_a, text="已整改", declared_files=0)
        assert feedback.completed_at is not None
        order.refresh_from_db()
        assert order.state == S.FED_BACK
        services.work_order_act(order_id=order.pk, action="send_back", user=c.bureau, note="证据不足")
        services.feedback_submit(order_id=order.pk, user=c.officer_a, text="补充整改")
        services.work_order_act(order_id=order.pk, action="approve", user=c.bureau)
        advance(clock_hours(1))
        order = services.work_order_act(order_id=order.pk, action="close", user=c.bureau)
    assert order.state == S.CLOSED and order.on_time is True and order.closed_at == T0 + clock_hours(3)
    steps = list(order.transitions.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("open", "discovered", "discovered"), ("dispatch", "discovered", "dispatched"),
        ("accept", "dispatched", "accepted"), ("start", "accepted", "handling"),
        ("feed_back", "handling", "fed_back"), ("send_back", "fed_back", "handling"),
        ("feed_back", "handling", "fed_back"), ("approve", "fed_back", "reviewed"),
        ("close", "reviewed", "closed"),
    ]
    who = dict(order.transitions.values_list("action", "by"))
    assert who["accept"] == c.officer_a.pk and who["close"] == c.bureau.pk and who["dispatch"] is None


def test_illegal_transition_is_refused_and_not_recorded(county):
    order = services.work_order_open(source="manual", title="x", enterprise=county.ent_a)
    before = Transition.objects.count()
    with pytest.raises(IllegalTransition, match="Cannot"):
        services.work_order_act(order_id=order.pk, action="close", user=county.bureau)
    with pytest.raises(IllegalTransition):
        services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)  # must accept first
    with pytest.raises(IllegalTransition):
        services.work_order_act(order_id=order.pk, action="fly", user=county.officer_a)
    order.refresh_from_db()
    assert order.state == S.DISPATCHED and Transition.objects.count() == before


def test_only_the_assignee_handles_and_only_the_bureau_reviews(county):
    order = services.work_order_open(source="manual", title="x", enterprise=county.ent_a)
    for outsider in (county.officer_b, county.ent_user, county.grid_officer):
        with pytest.raises(NotAllowed):
            services.work_order_act(order_id=order.pk, action="accept", user=outsider)
    services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
    services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
    services.feedback_submit(order_id=order.pk, user=county.officer_a, text="ok")
    with pytest.raises(NotAllowed):
        services.work_order_act(order_id=order.pk, action="approve",
                                user=county.officer_a)  # nobody approves their own fix


def test_approve_needs_a_complete_feedback(county):
    order = services.work_order_open(source="manual", title="x", enterprise=county.ent_a)
    services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
    services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
    services.feedback_submit(order_id=order.pk, user=county.officer_a, text="照片随后", declared_files=2)
    order.refresh_from_db()
    assert order.state == S.HANDLING  # 0 of 2 files arrived: not fed back yet
    with pytest.raises(IllegalTransition):
        services.work_order_act(order_id=order.pk, action="approve", user=county.bureau)


def test_routing_by_jurisdiction(county):
    """Everything but inspection findings and escalated warnings goes to the township first, even for an
    enterprise in a grid: the township passes it on."""
    c = county
    to_town = services.work_order_open(source="complaint", title="a", enterprise=c.ent_a)
    in_grid = services.work_order_open(source="patrol", title="b", enterprise=c.ent_grid)
    to_team = services.work_order_open(source="inspection", title="c", enterprise=c.ent_b)
    escalated = services.work_order_open(source="alert", title="d", enterprise=c.ent_grid)
    place = services.work_order_open(source="complaint", title="e", township=c.town_b)
    assert (to_town.assignee_kind, to_town.township_id) == ("township", c.town_a.pk)
    assert (in_grid.assignee_kind, in_grid.grid_id, in_grid.township_id) == ("township", None, c.town_a.pk)
    assert (to_team.assignee_kind, to_team.team_id) == ("team", c.team.pk)
    assert escalated.assignee_kind == "team"
    assert (place.assignee_kind, place.township_id) == ("township", c.town_b.pk)
    assert workflow.is_handler(c.officer_a, in_grid) and not workflow.is_handler(c.grid_officer, in_grid)
    assert workflow.is_handler(c.inspector, to_team) and not workflow.is_handler(c.officer_b, to_team)


def test_open_is_idempotent_on_source_ref_and_can_wait_for_dispatch(county):
    first = services.work_order_open(source="alert", title="x", enterprise=county.ent_a, source_ref="alert:1")
    again = services.work_order_open(source="alert", title="x", enterprise=county.ent_a, source_ref="alert:1")
    assert first.pk == again.pk and WorkOrder.objects.count() == 1
    held = services.work_order_open(source="manual", title="y", enterprise=county.ent_a, auto_dispatch=False)
    assert held.state == S.DISCOVERED
    with pytest.raises(NotAllowed):
        services.work_order_dispatch(order_id=held.pk, user=county.officer_a)
    order = services.work_order_dispatch(order_id=held.pk, user=county.bureau, assignee_kind="team", team=county.team)
    assert order.state == S.DISPATCHED and order.assignee_kind == "team"
