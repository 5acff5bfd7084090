"""Officers' monthly statistics count a hand-built month: on-site, off-site and joint inspections,
problems, case leads, cases handled and cases penalised; each cell drills down to the rows it counts."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from core import clock
from dispatch.services import checklist_build
from enforcement import selectors, services
from enforcement.models import DiscretionArticle
from enterprises.models import Role
from tests import factories as f

from .support import lines, officers

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def test_a_hand_built_month():
    a_ent, b_ent = f.enterprise(), f.enterprise()
    for ent in (a_ent, b_ent):
        f.outlet(f.permit(ent), limits={"w01018": 100})
    anna, bo, cai = officers(3)
    with clock.frozen(MARCH):
        checklist_lines = list(checklist_build(permit=a_ent.permits.get()).lines.all())
        answers = [{"line": line.pk, "result": "fail", "note": "不合格"} for line in checklist_lines]  # 2 lines fail
        on_site = services.inspection_record_on_site(
            user=anna, enterprise=a_ent, officers=[bo], answers=answers, client_uuid=uuid.uuid4(),
            started_at=MARCH, ended_at=MARCH + dt.timedelta(hours=1), findings="两项不合格", case_lead=True)
        services.inspection_record_off_site(user=anna, enterprise=b_ent, lines=lines(online_data="恒值"),
                                            conclusion="恒值", started_at=MARCH, ended_at=MARCH)
        services.inspection_record_off_site(user=anna, enterprise=a_ent, lines=lines(video=""), conclusion="无异常",
                                            started_at=MARCH, ended_at=MARCH)
    case = on_site.cases.get()
    case = services.case_file(case=case, user=cai, filing_number="立-3", filed_on=dt.date(2026, 3, 12),
                              article=DiscretionArticle.objects.get(code="PPR-36"), handlers=[bo])
    services.case_decide(case=case, user=cai, decision_number="罚-3", decided_on=dt.date(2026, 3, 25),
                         amount=Decimal("50000"))
    with clock.frozen(MARCH.replace(month=4)):  # April: outside the month
        services.inspection_record_off_site(user=anna, enterprise=b_ent, lines=lines(reports=""), conclusion="无异常",
                                            started_at=clock.now(), ended_at=clock.now())
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


def _joint_done(officer, ent, town_officer, at, problems: int, town_problems: int = 0):
    """A joint inspection of ``ent`` with its township team, both parts recorded and signed at ``at``."""
    with clock.frozen(at):
        joint = services.joint_inspection_invite(user=officer, enterprise=ent, planned_on=at.date(), purpose="联合排查",
                                                 townships=[ent.township])
        parts = {p.party: p for p in joint.parts.all()}
        services.joint_part_record(part=parts["bureau"], user=officer, problems_found=problems,
                                   findings="废气收集罩破损" if problems else "无异常")
        services.joint_part_sign(part=parts["bureau"], user=officer)
        services.joint_part_record(part=parts["township"], user=town_officer,
                                   findings="雨水口有污水" if town_problems else "无异常", problems_found=town_problems)
        services.joint_part_sign(part=parts["township"], user=town_officer)
    return joint


def test_joint_inspections_count_for_the_bureau_officer_who_signed(client):
    """A joint inspection is an on-site inspection of the bureau's officer who signed the bureau's part, in
    the month he signed: enterprises inspected (once per enterprise), problems found (the bureau's), on-site
    records; the township team's part is not the bureau officer's; the drill-down, the strip and the KPI's
    key-enterprise inspections show it."""
    town = f.township("丙镇")
    inspected, joint_only = f.enterprise(town), f.enterprise(town, name="丙化工有限公司")
    f.outlet(f.permit(inspected), limits={"w01018": 100})
    anna, bo = officers(2)
    town_officer = f.user(Role.TOWNSHIP, township=town)
    with clock.frozen(MARCH):
        services.inspection_record_off_site(user=anna, enterprise=inspected, lines=lines(online_data="恒值"),
                                            conclusion="恒值", started_at=MARCH, ended_at=MARCH)
    _joint_done(anna, inspected, town_officer, MARCH + dt.timedelta(days=1), problems=0)  # same enterprise
    joint = _joint_done(anna, joint_only, town_officer, MARCH + dt.timedelta(days=2), problems=2, town_problems=1)
    _joint_done(bo, joint_only, town_officer, MARCH.replace(month=4), problems=1)  # April: outside the month
    unsigned = services.joint_inspection_invite(user=bo, enterprise=inspected, planned_on=MARCH.date(), purpose="x",
                                                townships=[town])
    services.joint_part_record(part=unsigned.parts.get(party="bureau"), user=bo, findings="未签", problems_found=3)

    rows = {r["officer"]: r for r in selectors.officer_monthly_stats(2026, 3)}
    cols = selectors.STAT_COLUMNS
    assert [rows[anna][c] for c in cols] == [2, 3, 2, 0, 0, 0]
    assert [rows[bo][c] for c in cols] == [0, 0, 0, 0, 0, 0]  # unsigned part: not yet done
    assert town_officer not in rows
    assert [p.joint for p in selectors.officer_stat_joint_parts(anna, 2026, 3, "problems_found")] == [joint]
    april = {r["officer"]: r for r in selectors.officer_monthly_stats(2026, 4)}
    assert [april[bo][c] for c in cols] == [1, 1, 1, 0, 0, 0]

    client.force_login(anna)
    page = client.get(reverse("enforcement:officer-stats") + "?year=2026&month=3").content.decode()
    assert reverse("enforcement:officer-stat-cell", args=[anna.pk, "on_site_records"]) in page
    cell = client.get(reverse("enforcement:officer-stat-cell", args=[anna.pk, "on_site_records"])
                      + "?year=2026&month=3").content.decode()
    assert "丙化工有限公司" in cell and "联合检查" in cell
    assert reverse("enforcement:joint-detail", args=[joint.pk]) in cell
    csv_text = client.get(reverse("enforcement:officer-stats-csv") + "?year=2026&month=3").content.decode("utf-8-sig")
    assert f"{anna.username},2,3,2,0,0,0" in csv_text.replace("\r", "")

    with clock.frozen(MARCH.replace(day=20)):
        strip = selectors.compliance_strips([joint_only.pk, inspected.pk], clock.now())
    assert strip[joint_only.pk]["months"][-1] == "violation"  # the joint inspection found problems
    assert strip[inspected.pk]["months"][-1] == "violation"  # the off-site one did; the joint one found none
    with clock.frozen(MARCH.replace(month=5, day=20)):
        kpis = {m["month"]: m for m in client.get(reverse("dashboard:kpis")).context["months"]}
    assert (kpis["2026-03"]["key_inspections"], kpis["2026-03"]["key_off_site_inspections"]) == (3, 1)
    assert (kpis["2026-04"]["key_inspections"], kpis["2026-04"]["off_site_share"]) == (1, 0.0)


@pytest.mark.parametrize("bureau, township, level", [(0, 0, "none"), (0, 1, "violation"), (1, 0, "violation")])
def test_problems_found_by_any_party_of_a_joint_inspection_mark_the_strip(bureau, township, level):
    town = f.township()
    ent = f.enterprise(town)
    (anna,) = officers(1)
    _joint_done(anna, ent, f.user(Role.TOWNSHIP, township=town), MARCH, problems=bureau, town_problems=township)
    with clock.frozen(MARCH.replace(day=20)):
        strip = selectors.compliance_strips([ent.pk], clock.now())[ent.pk]
    assert (strip["months"][-1], strip["quarters"][-1]) == (level, level)
