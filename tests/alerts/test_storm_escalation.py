"""A storm of escalations is set-based: the cycle that turns many warnings into alarms opens their work
orders, transitions, audit entries and notices in a number of statements that does not grow with the
number of warnings (issue 20: 10,000 escalations must fit in the 5 minutes of a cycle)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert
from alerts.services.evaluation import evaluate
from audit.models import AuditEntry
from dispatch.models import Transition, WorkOrder
from enterprises.models import Role
from notifications.models import Notification
from tests import factories as f

from .alert_support import HALF, MIN, T0, half_hour, seen, site, window_start

END = T0 + 4 * HALF + 40 * MIN  # every outlet is over its limit until then


def _storm(town, n: int, at) -> list:
    """``n`` outlets over their COD limit from ``at`` to ``END``."""
    outlets = []
    for _ in range(n):
        out, device = site(town)
        start = window_start(at) - HALF
        while start <= END:
            half_hour(out, "w01018", start, 180.0)
            start += HALF
        seen(device, END - 5 * MIN)
        outlets.append(out)
    return outlets


def _escalating_cycle(town, n: int, at) -> tuple[int, dict, list]:
    outlets = _storm(town, n, at)
    assert evaluate(at).opened == n
    with CaptureQueriesContext(connection) as queries:
        result = evaluate(at + 35 * MIN)
    return len(queries), vars(result), outlets


def test_escalation_storm_costs_the_same_statements_for_few_and_many(db):
    town = f.township()
    officer = f.user(Role.TOWNSHIP, township=town)
    few_queries, few, _ = _escalating_cycle(town, 3, T0)
    many_queries, many, outlets = _escalating_cycle(town, 30, T0 + 4 * HALF)
    assert (few["escalated"], many["escalated"]) == (3, 30)
    assert many_queries - few_queries <= 5, (few_queries, many_queries)

    alerts = list(Alert.objects.filter(outlet__in=outlets).select_related("work_order"))
    assert len(alerts) == 30 and all(a.is_alarm and a.work_order is not None for a in alerts)
    orders = WorkOrder.objects.filter(pk__in=[a.work_order_id for a in alerts])
    assert sorted(o.source_ref for o in orders) == sorted(a.source_ref for a in alerts)
    assert all(o.state == "dispatched" and o.assignee_kind == "township" and o.township_id == town.pk and o.accept_due_at for o in orders)
    assert Transition.objects.filter(work_order__in=orders).count() == 60
    assert AuditEntry.objects.filter(model_label="dispatch.WorkOrder", action="create",
                                     object_id__in=[str(o.pk) for o in orders]).count() == 30
    assert Notification.objects.filter(kind="alert.alarm", enterprise__isnull=False,
                                       source__in=[a.source_ref for a in alerts]).count() == 30
    assert Notification.objects.filter(kind="alert.alarm", user=officer,
                                       source__in=[a.source_ref for a in alerts]).count() == 30
    assert Notification.objects.filter(kind="workorder_dispatched", user=officer).count() == 33
    assert evaluate(T0 + 4 * HALF + 40 * MIN).escalated == 0  # once only
