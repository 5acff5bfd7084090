"""Checklists from the permit, the three kinds of round, failed lines opening orders, idempotent
submissions, self-check notices and their completion rate, officer statistics."""
import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from dispatch import selectors
from dispatch.models import ChecklistLine, LineResult, Round, SelfCheckNotice, WorkOrder
from dispatch.services import checklists
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises.models import MonitoringDuty, PermitItem, PermitLimit, Pollutant, Role, TreatmentFacility
from tests import factories as f

from .conftest import T0

pytestmark = pytest.mark.usefixtures("english")  # asserts on the English msgids of service errors


@pytest.fixture
def permit(county):
    perm = f.permit(county.ent_a)
    out = f.outlet(perm, "DW001", limits={"w01018": 100, "w21003": 15})
    TreatmentFacility.objects.create(permit=perm, outlet=out, name="污水处理站", process="A/O")
    MonitoringDuty.objects.create(permit=perm, outlet=out, pollutant=Pollutant.objects.get(code="w01018"),
                                  method="online", frequency="continuous")
    for cat, title in [("hazardous_waste", "危废贮存规范"), ("solid_waste", "一般固废台账"), ("noise", "厂界噪声"),
                       ("records", "环境管理台账"), ("reporting", "按时提交执行报告")]:
        PermitItem.objects.create(permit=perm, category=cat, title=title)
    return perm


def answers(checklist, fail_seq=(), na_seq=()):
    result = []
    for line in checklist.lines.all():
        if line.seq in fail_seq:
            result.append({"line": line.pk, "result": "fail", "note": "现场发现问题"})
        else:
            result.append({"line": line.pk, "result": "na" if line.seq in na_seq else "pass"})
    return result


def test_build_checklist_covers_every_permit_item_and_is_versioned(permit):
    checklist = checklists.checklist_build(permit=permit)
    cats = list(checklist.lines.values_list("category", flat=True))
    assert cats == ["outlet", "limit", "limit", "monitoring", "facility", "hazardous_waste", "noise", "records",
                    "reporting", "solid_waste"]
    assert checklist.schema_version == checklists.SCHEMA_VERSION and checklist.revision == 1
    assert checklists.checklist_build(permit=permit).pk == checklist.pk  # unchanged permit: same checklist
    PermitItem.objects.create(permit=permit, category="information", title="信息公开")
    second = checklists.checklist_build(permit=permit)
    assert second.revision == 2 and second.lines.count() == 11 and checklist.lines.count() == 10



def test_many_checklists_are_built_in_the_queries_of_one_with_the_same_lines(county):
    def fill(perm):
        """Outlets and limits made out of code order (the lines take them by code); the refs expected."""
        water = f.outlet(perm, "DW002", limits={"w21003": 15, "w01018": 100})
        air = f.outlet(perm, "DA001", kind="air", limits={"a21026": 35})
        duty = MonitoringDuty.objects.create(permit=perm, outlet=None, pollutant=Pollutant.objects.get(code="w01018"),
                                             method="manual", frequency="quarterly")
        item = PermitItem.objects.create(permit=perm, category="records", title="环境管理台账")
        limit = {lim.pollutant.code: lim.pk for lim in PermitLimit.objects.filter(outlet__permit=perm)}
        return perm, [f"outlet:{air.pk}", f"limit:{limit['a21026']}", f"outlet:{water.pk}", f"limit:{limit['w01018']}",
                      f"limit:{limit['w21003']}", f"duty:{duty.pk}", f"item:{item.pk}"]

    alone, alone_refs = fill(f.permit(county.ent_b))
    with CaptureQueriesContext(connection) as one:
        built_alone = checklists.checklists_build(permits=[alone])
    many = [fill(f.permit(ent)) for ent in (county.ent_a, county.ent_grid, county.ent_b)]
    with CaptureQueriesContext(connection) as three:
        built = checklists.checklists_build(permits=[perm for perm, _ in many])
    assert len(three.captured_queries) == len(one.captured_queries)

    def lines(checklist):
        return list(checklist.lines.order_by("seq").values_list("ref", "category", "title"))

    assert [ref for ref, _, _ in lines(built_alone[alone.pk])] == alone_refs
    for perm, refs in many:
        assert [ref for ref, _, _ in lines(built[perm.pk])] == refs
    assert [line[1:] for line in lines(built[many[2][0].pk])] == [line[1:] for line in lines(built_alone[alone.pk])]
    assert lines(built_alone[alone.pk])[3][2] == "DW002 化学需氧量 ≤ 100.0 mg/L"


def test_failed_line_opens_an_order_and_a_retry_never_duplicates(county, permit):
    checklist = checklists.checklist_build(permit=permit)
    key = uuid.uuid4()
    with clock.frozen(T0):
        rnd, created = checklists.round_submit(kind="patrol", checklist=checklist, user=county.officer_a,
                                               answers=answers(checklist, fail_seq={2}, na_seq={7}), client_uuid=key)
        again, created_again = checklists.round_submit(kind="patrol", checklist=checklist, user=county.officer_a,
                                                       answers=answers(checklist), client_uuid=key)
    assert created and not created_again and again.pk == rnd.pk and Round.objects.count() == 1
    failed = rnd.results.get(result=LineResult.Result.FAIL)
    order = failed.work_order
    assert order.source == WorkOrder.Source.PATROL and order.enterprise == county.ent_a
    assert order.state == WorkOrder.State.DISPATCHED and order.assignee_kind == "township"
    assert WorkOrder.objects.count() == 1


def test_round_validation_and_who_may_fill_what(county, permit):
    checklist = checklists.checklist_build(permit=permit)
    with pytest.raises(WorkflowError, match="not answered"):
        checklists.round_submit(kind="patrol", checklist=checklist, user=county.officer_a,
                                answers=answers(checklist)[:-1], client_uuid=uuid.uuid4())
    bad = answers(checklist)
    bad[0] = {"line": bad[0]["line"], "result": "fail"}
    with pytest.raises(WorkflowError, match="say what is wrong"):
        checklists.round_submit(kind="patrol", checklist=checklist, user=county.officer_a, answers=bad,
                                client_uuid=uuid.uuid4())
    for kind, user in [("patrol", county.officer_b), ("self_check", county.officer_a), ("inspection", county.ent_user)]:
        with pytest.raises(NotAllowed):
            checklists.round_submit(kind=kind, checklist=checklist, user=user, answers=answers(checklist),
                                    client_uuid=uuid.uuid4())
    assert Round.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_self_check_notices_and_completion_rate(county, permit):
    other = f.enterprise(county.town_b)
    f.permit(other)
    with clock.frozen(T0) as advance:
        due = T0 + dt.timedelta(days=7)
        assert checklists.self_check_notices_issue(enterprises=[county.ent_a, other], batch="2026-03", due_at=due) == 2
        assert checklists.self_check_notices_issue(enterprises=[county.ent_a, other], batch="2026-03", due_at=due) == 0
        notice = SelfCheckNotice.objects.get(enterprise=county.ent_a)
        advance(dt.timedelta(days=2))
        rnd, _ = checklists.round_submit(kind="self_check", checklist=notice.checklist, user=county.ent_user,
                                         answers=answers(notice.checklist, fail_seq={6}), client_uuid=uuid.uuid4(),
                                         notice=notice)
        assert rnd.results.get(result="fail").work_order.source == WorkOrder.Source.SELF_CHECK
        assert selectors.self_check_completion() == {"issued": 2, "completed": 1, "completed_on_time": 1,
                                                      "overdue_open": 0, "rate": 1.0}
        advance(dt.timedelta(days=6))  # the other enterprise's deadline passed
        assert selectors.self_check_completion()["rate"] == 0.5
        assert selectors.self_check_completion(township=county.town_a)["rate"] == 1.0


def test_inspection_rounds_record_their_officers_and_case(county, permit):
    checklist = checklists.checklist_build(permit=permit)
    partner = f.user(Role.ENFORCEMENT)
    with clock.frozen(T0):
        rnd, _ = checklists.round_submit(kind="inspection", checklist=checklist, user=county.inspector,
                                         answers=answers(checklist, fail_seq={2, 3}), client_uuid=uuid.uuid4(),
                                         officers=[partner], case_lead=True)
        checklists.round_submit(kind="inspection", checklist=checklist, user=county.inspector,
                                answers=answers(checklist), client_uuid=uuid.uuid4())
        rnd = checklists.round_file_case(round_id=rnd.pk, user=county.inspector, filed_on=dt.date(2026, 3, 20),
                                         number="桐环罚〔2026〕1号")
    assert set(rnd.officers.all()) == {county.inspector, partner} and rnd.case_number == "桐环罚〔2026〕1号"
    assert ChecklistLine.objects.filter(checklist=checklist).count() == 10
