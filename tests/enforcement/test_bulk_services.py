"""The batch services of enforcement write what the one-at-a-time services write: a batch of on-site
inspections (rounds, failed lines' work orders, officers, case leads with their audit entries, the
enterprise asked to confirm), of off-site inspections (lines, work orders dispatched and their handlers
told, case leads) and of operators' device records (the records and the device's invalid periods); each
refuses the whole batch when one entry is refused."""
import datetime as dt
import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from core import clock
from dispatch.models import Round, Team, WorkOrder
from dispatch.services import checklist_build
from dispatch.workflow import WorkflowError
from enforcement import services
from enforcement.models import Case, DeviceCheck, Inspection, InspectionPlan, PlannedInspection
from enforcement.models.device_checks import DEVICE_CHECK_SOURCE
from enterprises.models import Role
from monitoring.models import Device, InvalidPeriod
from notifications.models import Notification
from tests import factories as f

from .support import lines, officers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
T1 = dt.datetime(2026, 11, 10, 8, tzinfo=dt.UTC)  # when the one-at-a-time services record
T2 = T1 + dt.timedelta(days=1)  # when the batch records
STARTED = T1 - dt.timedelta(hours=3)
ENDED = STARTED + dt.timedelta(hours=1)


@pytest.fixture
def county():
    """Two enterprises of one township with the same permit, a team covering the township with a member
    (told of the work orders), two officers."""
    town = f.township()
    ents = []
    for _ in range(2):
        ent = f.enterprise(town)
        f.outlet(f.permit(ent), limits={"w01018": 100, "w21003": 15})
        ents.append(ent)
    team = Team.objects.create(name="一中队")
    team.townships.add(town)
    team.members.add(f.user(Role.ENFORCEMENT))
    return ents, officers(2)


def _rel(moment, t0):
    return None if moment is None else moment - t0


def _audit(model_label: str, pk) -> list:
    return [(e.action, e.actor_id, sorted(e.changes)) for e in
            AuditEntry.objects.filter(model_label=model_label, object_id=str(pk)).order_by("pk")]


def _orders(prefix: str, t0) -> list:
    out = []
    for o in WorkOrder.objects.filter(source_ref__startswith=prefix).order_by("source_ref"):
        told = Notification.objects.filter(url=reverse("dispatch:order_detail", args=[o.pk]))
        out.append({"order": (o.source, o.title, o.description, o.enterprise_id, o.township_id, o.state,
                              o.assignee_kind, o.team_id, o.opened_by_id, sorted(o.evidence)),
                    "times": [_rel(t, t0) for t in (o.opened_at, o.dispatched_at, o.accept_due_at, o.due_at)],
                    "steps": [(t.action, t.from_state, t.to_state, t.by_id, _rel(t.at, t0), t.note)
                              for t in o.transitions.order_by("pk")],
                    "told": sorted((n.kind, n.user_id) for n in told)})
    return out


def footprint(insp: Inspection, t0: dt.datetime) -> dict:
    """Everything recording ``insp`` at ``t0`` wrote, without ids and with times from ``t0``."""
    insp = Inspection.objects.get(pk=insp.pk)
    out = {"inspection": (insp.mode, insp.enterprise_id, insp.planned_id, insp.recorded_by_id, insp.started_at,
                          insp.ended_at, insp.latitude, insp.longitude, insp.basis, insp.findings,
                          insp.problems_found, insp.case_lead, insp.confirmation),
           "officers": sorted(insp.officers.values_list("pk", flat=True)),
           "lines": [(r.basis, r.result, r.note, r.work_order is not None) for r in insp.off_site_lines.all()],
           "cases": [((c.state, c.enterprise_id, c.facts, _rel(c.lead_at, t0), c.file_due_on - t0.date(),
                       c.opened_by_id), _audit("enforcement.Case", c.pk)) for c in insp.cases.all()],
           "asked": [(n.kind, n.enterprise_id, n.subject, n.body, n.url == reverse("enforcement:on-site-record",
                                                                                     args=[insp.pk]),
                      n.deliveries.count()) for n in Notification.objects.filter(source=f"inspection:{insp.pk}")]}
    if insp.round_id:
        rnd = insp.round
        out["round"] = (rnd.kind, rnd.checklist_id, rnd.enterprise_id, rnd.performed_by_id, _rel(rnd.submitted_at, t0),
                        rnd.note, rnd.case_lead, rnd.latitude, rnd.longitude,
                        sorted(rnd.officers.values_list("pk", flat=True)), _audit("dispatch.Round", rnd.pk)[0][:2])
        out["results"] = [(r.line_id, r.result, r.note, r.work_order is not None) for r in rnd.results.all()]
        out["orders"] = _orders(f"round:{rnd.pk}:", t0)
    else:
        out["orders"] = _orders(f"inspection:{insp.pk}:", t0)
    return out


def _answers(ent, fail: bool) -> list[dict]:
    checklist = checklist_build(permit=ent.permits.get())
    return [{"line": line.pk, "result": "fail" if fail and line.category == "limit" else "pass",
             "note": "COD 超标" if fail and line.category == "limit" else ""} for line in checklist.lines.all()]


def _on_site(ent, lead, second, *, fail: bool, **fields) -> dict:
    return {"user": lead, "enterprise": ent, "officers": [second], "answers": _answers(ent, fail),
            "started_at": STARTED, "ended_at": ENDED, "latitude": 30.62, "longitude": 120.56,
            "findings": "排口 COD 超标" if fail else "未发现明显问题", "case_lead": fail, **fields}


def test_a_batch_of_on_site_inspections_writes_what_one_at_a_time_writes(county):
    (a, b), (lead, second) = county
    fields = [_on_site(a, lead, second, fail=True), _on_site(b, second, lead, fail=False)]
    with clock.frozen(T1):
        one_by_one = [services.inspection_record_on_site(client_uuid=uuid.uuid4(), **kw) for kw in fields]
    with clock.frozen(T2):
        batch = services.inspections_record_on_site(entries=[
            services.OnSiteEntry(client_uuid=uuid.uuid4(), **kw) for kw in fields])
    assert [i.enterprise for i in batch] == [a, b]
    for single, batched in zip(one_by_one, batch, strict=True):
        assert footprint(batched, T2) == footprint(single, T1)
    first = footprint(batch[0], T2)  # the comparison compared something
    assert first["cases"] and len(first["orders"]) == 2 and first["orders"][0]["told"] and first["asked"]
    assert first["officers"] == sorted([lead.pk, second.pk]) and not footprint(batch[1], T2)["orders"]


def test_an_on_site_batch_dates_each_entry_when_it_was_recorded_and_takes_retries(county):
    (a, b), (lead, second) = county
    recorded = T2 - dt.timedelta(hours=1)
    key = uuid.uuid4()
    with clock.frozen(T2):
        first, = services.inspections_record_on_site(entries=[
            services.OnSiteEntry(client_uuid=key, recorded_at=recorded, **_on_site(a, lead, second, fail=True))])
        again = services.inspections_record_on_site(entries=[
            services.OnSiteEntry(client_uuid=key, **_on_site(a, lead, second, fail=True)),
            services.OnSiteEntry(client_uuid=uuid.uuid4(), **_on_site(b, lead, second, fail=False))])
    assert again[0] == first and Inspection.objects.count() == 2 and Round.objects.count() == 2
    assert first.round.submitted_at == recorded and Case.objects.get().lead_at == recorded
    assert set(WorkOrder.objects.values_list("opened_at", flat=True)) == {recorded}


def test_an_on_site_batch_is_refused_whole(county):
    (a, b), (lead, second) = county
    item = PlannedInspection.objects.create(plan=InspectionPlan.objects.create(year=2026, month=11), enterprise=a,
                                            mode="on_site", lead_officer=lead, second_officer=second)
    ok = services.OnSiteEntry(client_uuid=uuid.uuid4(), planned=item, **_on_site(a, lead, second, fail=True))
    unanswered = _on_site(b, lead, second, fail=False)
    unanswered["answers"] = unanswered["answers"][1:]
    with clock.frozen(T2):
        with pytest.raises(WorkflowError, match="not answered"):
            services.inspections_record_on_site(entries=[ok, services.OnSiteEntry(client_uuid=uuid.uuid4(),
                                                                                  **unanswered)])
        with pytest.raises(WorkflowError, match="already done"):  # one planned item, twice
            services.inspections_record_on_site(entries=[ok, services.OnSiteEntry(
                client_uuid=uuid.uuid4(), planned=item, **_on_site(a, lead, second, fail=False))])
        with pytest.raises(WorkflowError, match="future"):
            services.inspections_record_on_site(entries=[services.OnSiteEntry(
                client_uuid=uuid.uuid4(), recorded_at=T2 + dt.timedelta(minutes=1), **_on_site(a, lead, second,
                                                                                            fail=False))])
    assert not Inspection.objects.exists() and not Round.objects.exists() and not WorkOrder.objects.exists()
    assert not Case.objects.exists() and not Notification.objects.exists()


def _off_site(ent, user, *, problems: bool) -> dict:
    found = lines(online_data="在线数据连续 3 小时恒值", video="视频显示治理设施停运", reports="") if problems \
        else lines(reports="", self_check="")
    return {"user": user, "enterprise": ent, "lines": found, "started_at": STARTED, "ended_at": ENDED,
            "conclusion": "两项问题，转办整改" if problems else "未发现明显问题", "case_lead": problems}


def test_a_batch_of_off_site_inspections_writes_what_one_at_a_time_writes(county):
    (a, b), (lead, second) = county
    fields = [_off_site(a, lead, problems=True), _off_site(b, second, problems=False)]
    with clock.frozen(T1):
        one_by_one = [services.inspection_record_off_site(**kw) for kw in fields]
    with clock.frozen(T2):
        batch = services.inspections_record_off_site(entries=[services.OffSiteEntry(**kw) for kw in fields])
    single, batched = footprint(one_by_one[0], T1), footprint(batch[0], T2)
    # the order is opened dispatched in one step by dispatch's batch: its audit trail is one entry, not two
    assert [_audit("dispatch.WorkOrder", o.pk)[0][0] for o in WorkOrder.objects.filter(
        source_ref__startswith=f"inspection:{batch[0].pk}:")] == ["create", "create"]
    assert batched == single and footprint(batch[1], T2) == footprint(one_by_one[1], T1)
    assert len(batched["orders"]) == 2 and batched["orders"][0]["told"] and batched["cases"]
    assert batched["cases"][0][0][2] == "两项问题，转办整改\n在线数据连续 3 小时恒值\n视频显示治理设施停运"


def test_an_off_site_batch_dates_its_orders_and_leads_and_is_refused_whole(county):
    (a, b), (lead, _second) = county
    recorded = T2 - dt.timedelta(hours=1)
    bad = _off_site(b, lead, problems=False)
    bad["conclusion"] = " "
    with clock.frozen(T2):
        with pytest.raises(WorkflowError, match="conclusion"):
            services.inspections_record_off_site(entries=[services.OffSiteEntry(**_off_site(a, lead, problems=True)),
                                                          services.OffSiteEntry(**bad)])
        assert not Inspection.objects.exists() and not WorkOrder.objects.exists()
        services.inspections_record_off_site(entries=[
            services.OffSiteEntry(recorded_at=recorded, **_off_site(a, lead, problems=True))])
    assert set(WorkOrder.objects.values_list("opened_at", flat=True)) == {recorded}
    assert Case.objects.get().lead_at == recorded


NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
OPERATOR = "浙江某环境运维有限公司"


def _device():
    return Device.objects.create(mn=f"D{uuid.uuid4().hex[:20]}", outlet=f.outlet(f.permit(f.enterprise())))


def _records(device) -> list:
    return [(c.kind, c.operator, c.performed_at, c.passed, c.findings, c.resolved_at, c.recorded_by_id, c.recorded_at,
             c.enterprise_id == device.outlet.enterprise_id) for c in DeviceCheck.objects.filter(device=device)
            .order_by("pk")]


def _periods(device) -> list:
    return sorted((p.reason, p.starts_at, p.ends_at) for p in InvalidPeriod.objects.filter(
        device=device, source=DEVICE_CHECK_SOURCE))


def test_a_batch_of_device_records_writes_what_one_at_a_time_writes():
    staff = f.bureau_user()
    one, other = _device(), _device()
    days = [NOW - dt.timedelta(days=n) for n in (40, 30, 20, 10, 2)]
    specs = [dict(kind="comparison", performed_at=days[0], passed=False, findings="比对监测相对误差超出要求"),
             dict(kind="comparison", performed_at=days[1]),
             dict(kind="calibration", performed_at=days[2], passed=False, findings="零点漂移超限"),
             dict(kind="fault", performed_at=days[3], findings="采样泵故障"),
             dict(kind="fault", performed_at=days[4], findings="数采仪断电")]
    repaired = days[3] + dt.timedelta(hours=30)
    with clock.frozen(NOW):
        made = [services.device_check_record(user=staff, device=one, operator=OPERATOR, **s) for s in specs]
        services.device_fault_resolve(check=made[3], user=staff, resolved_at=repaired)
        batch = services.device_checks_record(user=staff, entries=[
            services.CheckEntry(device=other, operator=OPERATOR, resolved_at=repaired if n == 3 else None, **s)
            for n, s in enumerate(specs)])
    assert [c.device for c in batch] == [other] * 5
    assert _records(other) == _records(one) and _periods(other) == _periods(one)
    assert _periods(one) == [("calibration", days[2], None), ("comparison", days[0], days[1]),
                             ("fault", days[3], repaired), ("fault", days[4], None)]


def test_a_batch_of_device_records_is_refused_whole():
    staff = f.bureau_user()
    device = _device()
    ok = services.CheckEntry(device=device, kind="comparison", operator=OPERATOR, performed_at=NOW)
    refused = [services.CheckEntry(device=device, kind="comparison", operator=OPERATOR, performed_at=NOW,
                                   resolved_at=NOW),
               services.CheckEntry(device=device, kind="fault", operator=OPERATOR, findings="断电", performed_at=NOW,
                                   resolved_at=NOW - dt.timedelta(hours=1)),
               services.CheckEntry(device=device, kind="comparison", operator=OPERATOR,
                                   performed_at=NOW + dt.timedelta(hours=1)),
               services.CheckEntry(device=device, kind="comparison", operator=OPERATOR, performed_at=NOW, passed=False)]
    with clock.frozen(NOW):
        for entry in refused:
            with pytest.raises(WorkflowError):
                services.device_checks_record(user=staff, entries=[ok, entry])
        with pytest.raises(WorkflowError):  # an enterprise files the records of its own devices only
            services.device_checks_record(user=f.user(Role.ENTERPRISE, enterprise=f.enterprise()), entries=[ok])
    assert not DeviceCheck.objects.exists() and not InvalidPeriod.objects.exists()
