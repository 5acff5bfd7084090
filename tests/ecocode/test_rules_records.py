"""Rule families over records: complaints, work orders, self-check notices, checklist results, penalties."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from core import clock
from dispatch import services as dispatch
from dispatch.models import LineResult, Round, SelfCheckNotice, WorkOrder
from dispatch.services.checklists import checklist_build
from ecocode.models import Penalty
from ecocode.rules import Context
from ecocode.services.scoring import evaluate
from tests import factories as f

from .conftest import NOW
from .helpers import ind, points

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_complaints():
    ent = f.enterprise()
    for days_ago, channel in ((3, "qr"), (20, "web"), (100, "qr")):
        with clock.frozen(NOW - days_ago * DAY):
            dispatch.complaint_file(text="夜间排放黑烟，气味刺鼻", channel=channel, enterprise=ent)
    with clock.frozen(NOW):
        assert points(ent, ind("complaints.count", 1, window_days=30, per_unit=0.5),
                      ind("complaints.count", 2, window_days=90, min_count=3),
                      ind("complaints.count", 3, window_days=365, min_count=3),
                      ind("complaints.count", 1, window_days=30, channel="qr")) == [1, 0, 3, 1]


def order(ent, source, days_ago, **fields):
    with clock.frozen(NOW - days_ago * DAY):
        wo = dispatch.work_order_open(source=source, title="问题", enterprise=ent, source_ref=f"t:{uuid.uuid4()}")
    WorkOrder.objects.filter(pk=wo.pk).update(**fields)
    return wo


def test_work_orders_overdue_supervised_and_findings(now):
    ent = f.enterprise()
    order(ent, "patrol", 5)                                                   # open past its fix deadline
    order(ent, "patrol", 0.5)                                                 # fresh: within the deadlines
    order(ent, "complaint", 20, state="closed", on_time=False, closed_at=NOW - DAY)   # closed late
    order(ent, "complaint", 20, state="closed", on_time=True, closed_at=NOW - 18 * DAY)
    order(ent, "inspection", 10, supervised_at=NOW - 3 * DAY)
    assert points(ent, ind("work_orders.overdue", 10, sources=["patrol"], per_unit=1),
                  ind("work_orders.overdue", 10, sources=["complaint"], per_unit=1),
                  ind("work_orders.supervised", 3, per_unit=1.5),
                  ind("work_orders.findings", 2, sources=["patrol", "inspection"], per_unit=0.5)) == [1, 1, 1.5, 1.5]


def test_self_checks_and_checklists(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    f.outlet(perm, limits={"w01018": 100})
    checklist = checklist_build(permit=perm)
    for batch, due, done in (("2026-04", NOW - 40 * DAY, None), ("2026-05", NOW - 10 * DAY, NOW - 5 * DAY),
                             ("2026-06", NOW - 2 * DAY, NOW - 3 * DAY), ("2026-07", NOW + 5 * DAY, None)):
        SelfCheckNotice.objects.create(enterprise=ent, checklist=checklist, batch=batch, issued_at=due - 20 * DAY,
                                       due_at=due, completed_at=done)
    officer = f.user("township", township=ent.township)
    lines = list(checklist.lines.all())
    assert {line.category for line in lines} >= {"outlet", "limit"}
    for kind, days_ago, state in (("patrol", 40, "handling"), ("inspection", 10, "handling"),
                                  ("patrol", 60, "closed")):
        rnd = Round.objects.create(kind=kind, checklist=checklist, enterprise=ent, township=ent.township,
                                   client_uuid=uuid.uuid4(), performed_by=officer, submitted_at=NOW - days_ago * DAY)
        for line in lines:
            failed = line.category == "limit"
            LineResult.objects.create(round=rnd, line=line, result="fail" if failed else "pass",
                                      work_order=order(ent, kind, days_ago, state=state) if failed else None)
    assert points(ent, ind("self_checks.overdue", 3, per_unit=1), ind("self_checks.late", 1, per_unit=0.25),
                  ind("checklists.failed", 4, categories=["limit"], kinds=["patrol", "inspection"], per_unit=1),
                  ind("checklists.failed", 4, categories=["limit"], kinds=["inspection"], per_unit=1),
                  ind("checklists.failed", 4, categories=["outlet"]),
                  ind("checklists.unfixed", 3, days=30, per_unit=1)) == [1, 0.25, 3, 1, 0, 1]


def test_penalties_are_unavailable_until_the_case_register_exists(now):
    ent = f.enterprise()
    Penalty.objects.create(enterprise=ent, decision_number="桐环罚〔2026〕1号", decided_on=NOW.date() - 30 * DAY,
                           amount=Decimal("80000"), reason="excess_emission")
    snap = {"indicators": [dict(ind("penalties.count", 8, reasons=["excess_emission"]), code="M33"),
                           dict(ind("penalties.amount", 5), code="M41")], "bands": []}
    losses, unavailable = evaluate(snap, Context(NOW, (ent.pk,)))
    assert losses == {}
    assert [(u["rule"], u["codes"]) for u in unavailable] == [("penalties.count", ["M33"]), ("penalties.amount", ["M41"])]
    assert all(u["source"] == "enforcement.Case" and "does not exist" in u["reason"] for u in unavailable)
