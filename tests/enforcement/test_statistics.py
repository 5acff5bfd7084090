"""Officers' monthly statistics count a hand-built month: on-site and off-site inspections, problems,
case leads, cases handled and cases penalised; each cell drills down to the rows it counts."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from core import clock
from dispatch.services import checklist_build
from enforcement import selectors, services
from enforcement.models import DiscretionArticle
from tests import factories as f

from .support import officers

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def test_a_hand_built_month():
    a_ent, b_ent = f.enterprise(), f.enterprise()
    for ent in (a_ent, b_ent):
        f.outlet(f.permit(ent), limits={"w01018": 100})
    anna, bo, cai = officers(3)
    with clock.frozen(MARCH):
        lines = list(checklist_build(permit=a_ent.permits.get()).lines.all())
        answers = [{"line": line.pk, "result": "fail", "note": "不合格"} for line in lines]  # 2 lines fail
        on_site = services.inspection_record_on_site(
            user=anna, enterprise=a_ent, officers=[bo], answers=answers, client_uuid=uuid.uuid4(),
            started_at=MARCH, ended_at=MARCH + dt.timedelta(hours=1), findings="两项不合格", case_lead=True)
        services.inspection_record_off_site(user=anna, enterprise=b_ent, basis=["online_data"], findings="恒值",
                                            problems_found=1, started_at=MARCH, ended_at=MARCH)
        services.inspection_record_off_site(user=anna, enterprise=a_ent, basis=["video"], findings="",
                                            problems_found=0, started_at=MARCH, ended_at=MARCH)
    case = on_site.cases.get()
    case = services.case_file(case=case, user=cai, filing_number="立-3", filed_on=dt.date(2026, 3, 12),
                              article=DiscretionArticle.objects.get(code="PPR-36"), handlers=[bo])
    services.case_decide(case=case, user=cai, decision_number="罚-3", decided_on=dt.date(2026, 3, 25),
                         amount=Decimal("50000"))
    with clock.frozen(MARCH.replace(month=4)):  # April: outside the month
        services.inspection_record_off_site(user=anna, enterprise=b_ent, basis=["reports"], findings="",
                                            problems_found=0, started_at=clock.now(), ended_at=clock.now())
    rows = {r["officer"]: r for r in selectors.officer_monthly_stats(2026, 3)}
    cols = selectors.STAT_COLUMNS
    assert [rows[anna][c] for c in cols] == [2, 3, 1, 1, 0, 0]
    assert [rows[bo][c] for c in cols] == [1, 2, 1, 0, 1, 1]
    assert [rows[cai][c] for c in cols] == [0, 0, 0, 0, 1, 1]
    assert set(selectors.officer_stat_rows(anna, 2026, 3, "problems_found")) == {
        on_site, *[i for i in b_ent.inspections.filter(started_at__month=3)]}
    assert list(selectors.officer_stat_rows(bo, 2026, 3, "cases_penalised")) == [case]
    april = {r["officer"]: r for r in selectors.officer_monthly_stats(2026, 4)}
    assert [april[anna][c] for c in cols] == [1, 0, 0, 0, 0, 0]
    assert april[bo]["cases_handled"] == 1 and april[bo]["cases_penalised"] == 0  # decided, not yet executed
