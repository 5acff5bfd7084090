"""The "1357" deadlines with a controlled clock: reminders at days 1, 3, 5, supervision at day 7,
each sent once however often the check runs; a plan reported in time moves the deadline."""
import datetime as dt

from core import clock
from dispatch import selectors, services
from dispatch.models import Transition
from dispatch.services.deadlines import deadlines_check
from notifications.models import Notification

from .conftest import T0

DAY, MINUTE = dt.timedelta(days=1), dt.timedelta(minutes=1)
NOTHING = {"accept": 0, "fix": 0, "plan": 0, "supervise": 0}


def kinds(user):
    """The deadline reminders ``user`` got (the notice of the dispatch itself is tested in test_routing)."""
    return sorted(Notification.objects.filter(user=user).exclude(kind__in=["workorder_dispatched",
                                                                           "workorder_reassigned"])
                  .values_list("kind", flat=True))


def test_every_1357_deadline_fires_once(county):
    c = county
    with clock.frozen(T0) as advance:
        order = services.work_order_open(source="complaint", title="夜间偷排", enterprise=c.ent_a)
        advance(DAY - MINUTE)
        assert deadlines_check() == NOTHING
        advance(2 * MINUTE)  # day 1 passed, not accepted
        assert deadlines_check() == {**NOTHING, "accept": 1}
        assert deadlines_check() == NOTHING  # idempotent
        assert kinds(c.officer_a) == ["workorder_accept"] and kinds(c.officer_b) == []
        assert selectors.with_overdue(type(order).objects.filter(pk=order.pk)).get().overdue_since == \
            order.accept_due_at
        services.work_order_act(order_id=order.pk, action="accept", user=c.officer_a)
        services.work_order_act(order_id=order.pk, action="start", user=c.officer_a)
        advance(2 * DAY)  # day 3 passed, not fixed
        assert deadlines_check() == {**NOTHING, "fix": 1}
        advance(2 * DAY)  # day 5 passed, no plan
        assert deadlines_check() == {**NOTHING, "plan": 1}
        assert deadlines_check() == NOTHING
        advance(2 * DAY - 2 * MINUTE)
        assert deadlines_check() == NOTHING  # day 7 not yet
        advance(2 * MINUTE)
        assert deadlines_check() == {**NOTHING, "supervise": 1}
        assert deadlines_check() == NOTHING
    order.refresh_from_db()
    assert order.supervised_at == T0 + 7 * DAY + MINUTE
    assert Transition.objects.filter(work_order=order, action="supervise", by=None).count() == 1
    assert kinds(c.officer_a) == ["workorder_accept", "workorder_fix", "workorder_plan", "workorder_supervise"]
    assert kinds(c.bureau) == ["workorder_supervise"]
    assert Notification.objects.filter(dedup_key__startswith="dispatch:").count() == 5


def test_a_plan_reported_in_time_moves_the_deadline_and_holds_off_supervision(county):
    c = county
    with clock.frozen(T0) as advance:
        order = services.work_order_open(source="patrol", title="危废暂存不规范", enterprise=c.ent_a)
        services.work_order_act(order_id=order.pk, action="accept", user=c.officer_a)
        services.work_order_act(order_id=order.pk, action="start", user=c.officer_a)
        advance(2 * DAY)
        services.work_order_report_plan(order_id=order.pk, user=c.officer_a, text="更换贮存间",
                                        completion_date=dt.date(2026, 3, 12))
        order.refresh_from_db()
        assert order.due_at.date() == dt.date(2026, 3, 12)
        advance(6 * DAY)  # day 8: a plan is running, nothing is owed
        assert deadlines_check() == NOTHING
        advance(3 * DAY)  # 13 March: the plan's date has passed without a fix
        assert deadlines_check() == {**NOTHING, "fix": 1, "supervise": 1}


def test_a_late_plan_does_not_excuse_the_delay(county):
    with clock.frozen(T0) as advance:
        order = services.work_order_open(source="patrol", title="x", enterprise=county.ent_a)
        services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
        services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
        advance(6 * DAY)
        services.work_order_report_plan(order_id=order.pk, user=county.officer_a, text="方案",
                                        completion_date=dt.date(2026, 3, 20))
        order.refresh_from_db()
        assert order.due_at == order.fix_due_at
        assert order.pk in selectors.visible_work_orders(county.bureau).filter(selectors.overdue_q()) \
            .values_list("pk", flat=True)


def test_fixed_orders_get_no_reminders_and_late_closure_is_marked(county):
    c = county
    with clock.frozen(T0) as advance:
        quick = services.work_order_open(source="manual", title="quick", enterprise=c.ent_a)
        slow = services.work_order_open(source="manual", title="slow", enterprise=c.ent_a)
        for order in (quick, slow):
            services.work_order_act(order_id=order.pk, action="accept", user=c.officer_a)
            services.work_order_act(order_id=order.pk, action="start", user=c.officer_a)
        services.feedback_submit(order_id=quick.pk, user=c.officer_a, text="done")
        advance(4 * DAY)
        assert deadlines_check() == {**NOTHING, "fix": 1}  # only the slow one
        services.feedback_submit(order_id=slow.pk, user=c.officer_a, text="done late")
        for order in (quick, slow):
            services.work_order_act(order_id=order.pk, action="approve", user=c.bureau)
            services.work_order_act(order_id=order.pk, action="close", user=c.bureau)
        open_late = services.work_order_open(source="manual", title="open", enterprise=c.ent_b)
        advance(4 * DAY)
        assert deadlines_check()["fix"] == 1  # the still-open one
        quick.refresh_from_db(), slow.refresh_from_db()
        assert (quick.on_time, slow.on_time) == (True, False)
        rate = selectors.on_time_rate()
        assert rate == {"on_time": 1, "late": 1, "open_overdue": 1, "rate": 1 / 3}
        assert selectors.overdue_counts_by_township() == {c.town_b.pk: 1}
        assert selectors.overdue_counts_by_enterprise() == {c.ent_b.pk: 1}
        assert selectors.on_time_rate(township=c.town_a)["rate"] == 0.5
        assert open_late.pk
