"""Inspections and targeted inspections: a warning that becomes an alarm, a complaint and a failed
self-check add on-site inspections to the month's plan; a failed checklist line of an on-site
inspection opens a work order; off-site problems open one too; a case lead opens a case."""
import datetime as dt
import uuid

import pytest

from alerts import services as alert_services
from core import clock
from dispatch.models import Complaint, WorkOrder
from dispatch.services import checklist_build, round_submit
from dispatch.workflow import NotAllowed, WorkflowError
from enforcement.models import Case, Inspection, PlannedInspection
from enforcement.services import (
    inspection_confirm,
    inspection_dispute,
    inspection_record_off_site,
    inspection_record_on_site,
    inspections_adopt_rounds,
    targeted_inspections_collect,
)
from enterprises.models import Role
from monitoring.models import Device
from notifications.models import Notification
from tests import factories as f
from tests.alerts.alert_support import MIN, T0, half_hour, site, window_start

from .support import lines, officers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_warning_that_becomes_an_alarm_adds_a_targeted_inspection():
    out, _device = site()
    team = officers(4)
    for m in range(0, 36, 5):  # COD at 130 against a limit of 100 for 35 minutes: an alarm at 30
        at = T0 + m * MIN
        half_hour(out, "w01018", window_start(at), 130.0)
        Device.objects.filter(outlet=out).update(last_seen_at=at)
        with clock.frozen(at):
            alert_services.evaluate()
    assert targeted_inspections_collect(now=T0 + 36 * MIN) == 1
    item = PlannedInspection.objects.get()
    assert (item.enterprise, item.reason, item.mode, item.plan.month) == (out.enterprise, "warning", "on_site", 3)
    assert {item.lead_officer, item.second_officer} <= set(team) and item.lead_officer != item.second_officer
    assert targeted_inspections_collect(now=T0 + 40 * MIN) == 0  # planned once


def test_complaints_and_failed_self_checks_add_targeted_inspections():
    ent = f.enterprise()
    permit = f.permit(ent)
    f.outlet(permit, limits={"w01018": 100})
    officers(2)
    with clock.frozen(T0):
        Complaint.objects.create(enterprise=ent, township=ent.township, channel="web", text="夜间偷排", created_at=T0)
        checklist = checklist_build(permit=permit)
        lines = list(checklist.lines.all())
        round_submit(kind="self_check", checklist=checklist, user=f.user(Role.ENTERPRISE, enterprise=ent),
                     client_uuid=uuid.uuid4(), answers=[{"line": line.pk, "result": "fail" if n == 0 else "pass",
                                                         "note": "标识牌缺失"} for n, line in enumerate(lines)])
    assert targeted_inspections_collect(now=T0 + MIN) == 2
    assert set(PlannedInspection.objects.values_list("reason", flat=True)) == {"complaint", "self_check"}


def on_site_setup():
    ent = f.enterprise()
    f.outlet(f.permit(ent), limits={"w01018": 100})
    return ent, officers(2)


def test_a_failed_line_of_an_on_site_inspection_opens_a_work_order():
    ent, (lead, second) = on_site_setup()
    checklist = checklist_build(permit=ent.permits.get())
    lines = list(checklist.lines.all())
    answers = [{"line": line.pk, "result": "fail" if line.category == "limit" else "pass", "note": "COD 超标"}
               for line in lines]
    start = clock.now() - dt.timedelta(hours=2)
    insp = inspection_record_on_site(user=lead, enterprise=ent, officers=[second], answers=answers,
                                     client_uuid=uuid.uuid4(), started_at=start, ended_at=start + dt.timedelta(hours=1),
                                     latitude=30.62, longitude=120.56, findings="排口 COD 超标", case_lead=True)
    assert insp.mode == "on_site" and insp.problems_found == 1 and set(insp.officers.all()) == {lead, second}
    order = WorkOrder.objects.get()
    assert order.source == "inspection" and order.enterprise == ent and insp.round.results.get(
        result="fail").work_order == order
    assert Case.objects.get().inspection == insp
    account = f.user(Role.ENTERPRISE, enterprise=ent, first_name="张经理")
    with pytest.raises(NotAllowed):  # another enterprise's account
        inspection_confirm(inspection=insp, user=f.user(Role.ENTERPRISE, enterprise=f.enterprise()))
    inspection_confirm(inspection=insp, user=account)
    insp = Inspection.objects.get()
    assert (insp.confirmation, insp.confirmed_by_user, insp.confirmed_by) == ("confirmed", account, "张经理")
    with pytest.raises(WorkflowError, match="already answered"):
        inspection_dispute(inspection=insp, user=account, reason="不同意")


def test_on_site_needs_two_officers_and_off_site_findings_open_a_work_order():
    ent, (lead, second) = on_site_setup()
    start = clock.now() - dt.timedelta(hours=1)
    with pytest.raises(WorkflowError, match="two"):
        inspection_record_on_site(user=lead, enterprise=ent, officers=[], answers=[], client_uuid=uuid.uuid4(),
                                  started_at=start, ended_at=start)
    with pytest.raises(WorkflowError, match="looked at"):
        inspection_record_off_site(user=lead, enterprise=ent, lines=[], conclusion="无", started_at=start,
                                   ended_at=start)
    with pytest.raises(WorkflowError, match="Describe the problem"):
        inspection_record_off_site(user=lead, enterprise=ent, conclusion="x", started_at=start, ended_at=start,
                                   lines=[{"basis": "video", "result": "problem", "note": " "}])
    insp = inspection_record_off_site(
        user=lead, enterprise=ent, lines=lines(online_data="在线数据连续 3 小时恒值", video="视频显示治理设施停运",
                                               reports=""),
        conclusion="两项问题，转办整改", case_lead=True, started_at=start, ended_at=start + dt.timedelta(minutes=40))
    assert insp.mode == "off_site" and list(insp.officers.all()) == [lead] and insp.problems_found == 2
    assert insp.basis == ["online_data", "reports", "video"] and insp.findings == "两项问题，转办整改"
    orders = {o.source_ref: o for o in WorkOrder.objects.all()}  # one work order per problem line
    assert set(orders) == {f"inspection:{insp.pk}:online_data", f"inspection:{insp.pk}:video"}
    by_line = {line.basis: line.work_order for line in insp.off_site_lines.all()}
    assert by_line == {"online_data": orders[f"inspection:{insp.pk}:online_data"],
                       "video": orders[f"inspection:{insp.pk}:video"], "reports": None}
    assert orders[f"inspection:{insp.pk}:video"].description == "视频显示治理设施停运"
    assert Case.objects.get().inspection == insp
    with pytest.raises(WorkflowError, match="Only an on-site record"):
        inspection_confirm(inspection=insp, user=lead, confirmed_by="张经理")


def test_the_enterprise_disputes_its_on_site_record_and_the_officers_are_told():
    ent, (lead, second) = on_site_setup()
    checklist = checklist_build(permit=ent.permits.get())
    start = clock.now() - dt.timedelta(hours=2)
    insp = inspection_record_on_site(user=lead, enterprise=ent, officers=[second], client_uuid=uuid.uuid4(),
                                     answers=[{"line": line.pk, "result": "pass"} for line in checklist.lines.all()],
                                     started_at=start, ended_at=start + dt.timedelta(hours=1))
    with pytest.raises(NotAllowed):  # an officer records a signature, he does not dispute for the enterprise
        inspection_dispute(inspection=insp, user=lead, reason="x")
    account = f.user(Role.ENTERPRISE, enterprise=ent)
    with pytest.raises(WorkflowError, match="reason"):
        inspection_dispute(inspection=insp, user=account, reason=" ")
    inspection_dispute(inspection=insp, user=account, reason="检查时间记录有误")
    insp.refresh_from_db()
    assert (insp.confirmation, insp.confirmed_by_user, insp.dispute_reason) == ("disputed", account, "检查时间记录有误")
    told = Notification.objects.filter(kind="inspection_disputed")
    assert set(told.values_list("user", flat=True)) == {lead.pk, second.pk}
    assert told.first().body == "检查时间记录有误"


def test_inspection_rounds_filed_elsewhere_become_inspections():
    ent, (lead, second) = on_site_setup()
    checklist = checklist_build(permit=ent.permits.get())
    rnd, _ = round_submit(kind="inspection", checklist=checklist, user=lead, officers=[second],
                          client_uuid=uuid.uuid4(), answers=[{"line": line.pk, "result": "fail", "note": "不合格"}
                                                             for line in checklist.lines.all()])
    assert inspections_adopt_rounds() == 1 and inspections_adopt_rounds() == 0
    insp = Inspection.objects.get()
    assert (insp.round, insp.mode, insp.problems_found) == (rnd, "on_site", checklist.lines.count())
    assert set(insp.officers.all()) == {lead, second}
    assert Notification.objects.get(enterprise=ent, kind="inspection_record").source == f"inspection:{insp.pk}"
