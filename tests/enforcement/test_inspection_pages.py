"""The inspection pages as their users see them: an officer reaches the off-site inspection from the
enterprise file, reviews the evidence shown there and records a line per kind of evidence; the record
counts in his statistics and the KPI's off-site share, fulfils the month's planned item, and its problem
line opens a work order. The enterprise's account lists its on-site records, confirms one and disputes
another with a reason, which the printable record and the officer's file show; nobody answers for
another enterprise."""
import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from core import clock
from dispatch.models import WorkOrder
from dispatch.services import checklist_build, round_submit
from enforcement import services
from enforcement.models import Case, Inspection, InspectionPlan, PlannedInspection
from enterprises.models import ExecutionReport, Role
from tests import factories as f

from .support import officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    town = f.township("梧桐街道")
    ent = f.enterprise(town, name="桐乡市恒达印染有限公司")
    permit = f.permit(ent)
    out = f.outlet(permit, limits={"w01018": 100})
    now = clock.now()
    Alert.objects.create(outlet=out, enterprise=ent, rule="exceedance", opened_at=now - dt.timedelta(days=3),
                         last_seen_at=now - dt.timedelta(days=3), value=132, limit_value=100)
    ExecutionReport.objects.create(permit=permit, kind="quarterly", period_start=dt.date(2026, 7, 1),
                                   period_end=dt.date(2026, 9, 30), due_on=dt.date(2026, 10, 15))
    checklist = checklist_build(permit=permit)
    account = f.user(Role.ENTERPRISE, enterprise=ent, first_name="王建国")
    with clock.frozen(now - dt.timedelta(days=5)):
        round_submit(kind="self_check", checklist=checklist, user=account, client_uuid=uuid.uuid4(),
                     answers=[{"line": line.pk, "result": "fail" if n == 0 else "pass", "note": "标识牌缺失"}
                              for n, line in enumerate(checklist.lines.all())])
    return {"ent": ent, "account": account, "officers": officers(2), "checklist": checklist}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode())).replace("：", ":")


def _month_kpis(client) -> dict:
    today = timezone.localtime(clock.now())
    return {m["month"]: m for m in client.get(reverse("dashboard:kpis")).context["months"]}[f"{today:%Y-%m}"]


def test_an_officer_records_an_off_site_inspection_from_the_enterprise_file(client, site):
    ent, (officer, _other) = site["ent"], site["officers"]
    now = timezone.localtime(clock.now())
    plan = InspectionPlan.objects.create(year=now.year, month=now.month, seed=7)
    item = PlannedInspection.objects.create(plan=plan, enterprise=ent, mode="off_site", lead_officer=officer)
    client.force_login(officer)
    file_page = client.get(reverse("enforcement:enterprise-file", args=[ent.pk])).content.decode()
    url = reverse("enforcement:off-site-new", args=[ent.pk])
    assert url in file_page and "记录非现场检查" in file_page
    before = _month_kpis(client)
    page = client.get(url)
    text = _text(page)
    assert page.status_code == 200 and "非现场检查" in text and "桐乡市恒达印染有限公司" in text
    for evidence in ("在线监测数据", "132", "执行报告", "未提交", "企业自查", "标识牌缺失", "本月计划"):
        assert evidence in text, evidence
    assert reverse("alerts:alert-detail", args=[Alert.objects.get().pk]) in page.content.decode()
    assert "online_data" not in text and "Off-site" not in text  # no raw codes, no English

    start, end = (now - dt.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"), now.strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"online_data_result": "problem", "online_data_note": "", "started_at": start,
                                "ended_at": end, "conclusion": "问题"})
    assert refused.status_code == 400 and "请描述在在线监测数据中发现的问题" in _text(refused)
    assert not Inspection.objects.exists()
    done = client.post(url, {"online_data_result": "problem", "online_data_note": "化学需氧量连续 3 天超标",
                             "reports_result": "ok", "self_check_result": "problem",
                             "self_check_note": "自查发现的标识牌问题未整改", "video_result": "", "started_at": start,
                             "ended_at": end, "conclusion": "两项问题，转办整改", "case_lead": "on"})
    inspection = Inspection.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("enforcement:on-site-record", args=[inspection.pk])
    assert (inspection.mode, inspection.problems_found, inspection.planned, inspection.basis) == (
        "off_site", 2, item, ["online_data", "reports", "self_check"])
    orders = WorkOrder.objects.filter(source_ref__startswith=f"inspection:{inspection.pk}:")
    assert sorted(orders.values_list("description", flat=True)) == ["化学需氧量连续 3 天超标", "自查发现的标识牌问题未整改"]
    assert Case.objects.get().inspection == inspection

    record = _text(client.get(done["Location"]))
    assert "非现场检查记录" in record and "两项问题，转办整改" in record and "发现问题" in record and "已发现案件线索" in record
    assert "未发现问题" in record and "视频监控" not in record  # the line not reviewed is not on the record
    stats = client.get(reverse("enforcement:officer-stats") + f"?year={now.year}&month={now.month}")
    row = next(cells for who, cells in stats.context["table"] if who == officer)
    assert dict(row) == {"enterprises_inspected": 1, "problems_found": 2, "on_site_records": 0, "case_leads": 1,
                         "cases_handled": 0, "cases_penalised": 0}
    after = _month_kpis(client)
    assert (after["key_inspections"], after["key_off_site_inspections"]) == (
        before["key_inspections"] + 1, before["key_off_site_inspections"] + 1)
    plan_page = client.get(reverse("enforcement:plan") + f"?year={now.year}&month={now.month}").content.decode()
    assert f"<td>{timezone.localtime(inspection.started_at):%m-%d}</td>" in plan_page  # the planned item is done


def test_only_enforcement_staff_of_the_jurisdiction_record_off_site(client, site):
    url = reverse("enforcement:off-site-new", args=[site["ent"].pk])
    for user in (site["account"], f.user(Role.TOWNSHIP, township=site["ent"].township)):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reports_result": "ok", "conclusion": "x"}).status_code == 403
    client.force_login(site["account"])
    assert "记录非现场检查" not in client.get(reverse("enforcement:enterprise-file", args=[site["ent"].pk])).content.decode()
    assert not Inspection.objects.exists()


def _on_site(site, day: int, problems: bool = False) -> Inspection:
    lead, second = site["officers"]
    start = clock.now() - dt.timedelta(days=day, hours=2)
    return services.inspection_record_on_site(
        user=lead, enterprise=site["ent"], officers=[second], client_uuid=uuid.uuid4(), started_at=start,
        ended_at=start + dt.timedelta(hours=1), findings="废水排口标识缺失" if problems else "未发现明显问题",
        answers=[{"line": line.pk, "result": "fail" if problems else "pass", "note": "标识缺失" if problems else ""}
                 for line in site["checklist"].lines.all()])


def test_the_enterprise_confirms_one_on_site_record_and_disputes_another(client, site):
    confirmed, disputed = _on_site(site, 10), _on_site(site, 3, problems=True)
    other = f.enterprise(name="乙化工有限公司")
    f.outlet(f.permit(other), limits={"w01018": 100})
    foreign = services.inspection_record_on_site(
        user=site["officers"][0], enterprise=other, officers=[site["officers"][1]], client_uuid=uuid.uuid4(),
        started_at=clock.now() - dt.timedelta(hours=2), ended_at=clock.now(),
        answers=[{"line": line.pk, "result": "pass"}
                 for line in checklist_build(permit=other.permits.get()).lines.all()])
    asked = site["ent"].notifications.filter(kind="inspection_record")  # each record is sent to its enterprise
    assert sorted(asked.values_list("url", flat=True)) == sorted(
        reverse("enforcement:on-site-record", args=[i.pk]) for i in (confirmed, disputed))
    client.force_login(site["account"])
    mine = client.get(reverse("enforcement:my-records"))
    links = re.findall(r'href="/enforcement/inspections/(\d+)/record/"', mine.content.decode())
    assert sorted(map(int, links)) == sorted([confirmed.pk, disputed.pk])  # not the other enterprise's
    assert _text(mine).count("待企业确认") == 2
    assert client.get(reverse("enforcement:on-site-record", args=[foreign.pk])).status_code == 403
    assert client.post(reverse("enforcement:on-site-record", args=[foreign.pk]), {"step": "confirm"}).status_code == 403

    url = reverse("enforcement:on-site-record", args=[confirmed.pk])
    page = _text(client.get(url))
    assert "现场检查笔录" in page and "确认无误" in page and "提出异议" in page and "打印" in page
    assert client.post(url, {"step": "confirm"}).status_code == 302
    printed = _text(client.get(url))
    assert "被检查单位确认人: 王建国" in printed and "提出异议" not in printed
    assert client.post(url, {"step": "confirm"}).status_code == 403  # answered once

    url = reverse("enforcement:on-site-record", args=[disputed.pk])
    refused = client.post(url, {"step": "dispute", "reason": " "})
    assert refused.status_code == 400 and "必填项" in _text(refused)
    assert client.post(url, {"step": "dispute", "reason": "检查时企业负责人不在场，笔录未经核对"}).status_code == 302
    disputed.refresh_from_db()
    assert (disputed.confirmation, disputed.confirmed_by_user) == ("disputed", site["account"])
    assert "检查时企业负责人不在场" in _text(client.get(url))
    listing = _text(client.get(reverse("enforcement:my-records")))
    assert "企业已确认" in listing and "企业有异议" in listing

    client.force_login(site["officers"][1])  # the officer sees the answers on the file and the record
    file_page = _text(client.get(reverse("enforcement:enterprise-file", args=[site["ent"].pk])))
    assert "企业有异议: 检查时企业负责人不在场" in file_page and "企业已确认" in file_page
    assert "检查时企业负责人不在场" in _text(client.get(url))
    inbox = site["officers"][1].notifications.get()
    assert "异议" in inbox.subject and inbox.url == url


def test_an_officer_records_the_signature_on_the_paper_record(client, site):
    inspection = _on_site(site, 1)
    url = reverse("enforcement:on-site-record", args=[inspection.pk])
    client.force_login(site["officers"][0])
    page = _text(client.get(url))
    assert "提出异议" not in page and "记录企业确认" in page
    assert client.post(url, {"step": "dispute", "reason": "x"}).status_code == 403
    assert client.post(url, {"step": "confirm", "confirmed_by": "陈丽华"}).status_code == 302
    printed = _text(client.get(url))
    assert "被检查单位确认人: 陈丽华" in printed and "纸质笔录签字，由" in printed
    client.force_login(f.user(Role.TOWNSHIP, township=site["ent"].township))  # sees the record, answers nothing
    assert client.get(url).status_code == 200 and client.post(url, {"step": "confirm"}).status_code == 403


def test_the_api_records_off_site_and_answers_on_site_through_the_same_services(client, site):
    ent, (officer, _second) = site["ent"], site["officers"]
    now = clock.now()
    body = {"enterprise": ent.pk, "conclusion": "在线数据恒值", "started_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ended_at": now.isoformat(), "lines": [{"basis": "online_data", "result": "problem", "note": "恒值 6 小时"},
                                                   {"basis": "video", "result": "ok"}]}
    client.force_login(f.user(Role.TOWNSHIP, township=ent.township))
    assert client.post("/api/v1/inspections/off-site/", body, content_type="application/json").status_code == 403
    client.force_login(officer)
    bad = client.post("/api/v1/inspections/off-site/", {**body, "lines": [{"basis": "video", "result": "problem"}]},
                      content_type="application/json")
    assert bad.status_code == 409 and not Inspection.objects.exists()
    made = client.post("/api/v1/inspections/off-site/", body, content_type="application/json")
    assert made.status_code == 201
    data = made.json()
    assert (data["mode"], data["problems_found"], data["findings"]) == ("off_site", 1, "在线数据恒值")
    assert [(line["basis"], bool(line["work_order"])) for line in data["off_site_lines"]] == [
        ("online_data", True), ("video", False)]

    on_site = _on_site(site, 2)
    client.force_login(f.user(Role.ENTERPRISE, enterprise=f.enterprise()))  # another enterprise's account
    assert client.post(f"/api/v1/inspections/{on_site.pk}/dispute/", {"reason": "x"},
                       content_type="application/json").status_code == 404
    client.force_login(site["account"])
    answered = client.post(f"/api/v1/inspections/{on_site.pk}/dispute/", {"reason": "笔录时间有误"},
                           content_type="application/json")
    assert answered.status_code == 200 and answered.json()["confirmation"] == "disputed"
    assert client.post(f"/api/v1/inspections/{on_site.pk}/confirm/", {},
                       content_type="application/json").status_code == 409
