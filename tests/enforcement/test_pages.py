"""The pages as users see them: the enterprise file and the strips' exports show only what the viewer's
role may see; plans, cases, statistics and the on-site record render for enforcement staff only; the
positive list is public."""
import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse

from alerts.models import Alert
from core import clock
from dispatch.models import Complaint
from dispatch.services import checklist_build
from enforcement import services
from enforcement.models import DiscretionArticle, InspectionPlan, PositiveListEntry
from enterprises.models import Role
from tests import factories as f

from .support import coloured, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    town_a, town_b = f.township("甲镇"), f.township("乙镇")
    a, b = coloured("yellow", town_a, name="甲化工有限公司"), coloured("red", town_b, name="乙印染有限公司")
    for ent in (a, b):
        f.outlet(f.permit(ent), limits={"w01018": 100})
    now = clock.now()
    Alert.objects.create(outlet=b.permits.get().outlets.get(), enterprise=b, rule="exceedance", opened_at=now,
                         last_seen_at=now)
    Complaint.objects.create(enterprise=a, township=town_a, channel="web", text="夜间有异味", contact="13900001111",
                             created_at=now)
    return {"a": a, "b": b, "township_a": f.user(Role.TOWNSHIP, township=town_a),
            "account_a": f.user(Role.ENTERPRISE, enterprise=a), "bureau": f.bureau_user(),
            "officers": officers(2)}


def _csv_names(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [r[1] for r in rows[1:]]


@pytest.mark.parametrize("viewer, sees", [("township_a", {"甲化工有限公司"}), ("account_a", {"甲化工有限公司"}),
                                          ("bureau", {"甲化工有限公司", "乙印染有限公司"})])
def test_file_and_exports_show_only_what_the_role_may_see(client, county, viewer, sees):
    client.force_login(county[viewer])
    a, b = county["a"], county["b"]
    page = client.get(reverse("enforcement:enterprise-file", args=[a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲化工有限公司" in html and "合规历史" in html and "夜间有异味" in html and "13900001111" not in html
    other = client.get(reverse("enforcement:enterprise-file", args=[b.pk]))
    assert other.status_code == (200 if "乙印染有限公司" in sees else 403)
    assert set(_csv_names(client.get(reverse("enforcement:strips-csv")))) == sees
    geo = client.get(reverse("enforcement:strips-geojson")).json()
    assert {feat["properties"]["name"] for feat in geo["features"]} == sees
    if "乙印染有限公司" in sees:
        strip = next(feat for feat in geo["features"] if feat["properties"]["name"] == "乙印染有限公司")
        assert list(strip["properties"]["months"].values())[-1] == "violation"  # this month's exceedance


def test_the_file_shows_each_viewer_only_the_joint_inspection_parts_of_his_party(client, county):
    a, officer = county["a"], county["officers"][0]
    joint = services.joint_inspection_invite(user=officer, enterprise=a, planned_on=clock.now().date(),
                                             purpose="异味排查", townships=[a.township], counties=["秀洲区生态环境分局"])
    parts = {p.party: p for p in joint.parts.all()}
    services.joint_part_record(part=parts["bureau"], user=officer, findings="废气收集罩破损", problems_found=1)
    services.joint_part_record(part=parts["township"], user=county["township_a"], findings="雨水口有污水痕迹",
                               problems_found=1)
    services.joint_part_sign(part=parts["township"], user=county["township_a"])
    url = reverse("enforcement:enterprise-file", args=[a.pk])
    seen = {}
    for viewer in ("bureau", "township_a", "account_a"):
        client.force_login(county[viewer])
        seen[viewer] = client.get(url).content.decode()
    assert all(w in seen["bureau"] for w in ("联合检查", "废气收集罩破损", "雨水口有污水痕迹", "秀洲区生态环境分局"))
    assert "雨水口有污水痕迹" in seen["township_a"] and "废气收集罩破损" not in seen["township_a"]
    assert "秀洲区生态环境分局" not in seen["township_a"]
    assert "联合检查" not in seen["account_a"] and "雨水口有污水痕迹" not in seen["account_a"]


def test_anonymous_is_sent_to_login_and_the_positive_list_is_public(client, county):
    assert client.get(reverse("enforcement:strips-csv")).status_code == 302
    assert client.get(reverse("enforcement:enterprise-file", args=[county["a"].pk])).status_code == 302
    PositiveListEntry.objects.create(enterprise=county["a"], state="listed", entry_reason="规则",
                                     proposed_at=clock.now(), published_at=clock.now())
    page = client.get(reverse("enforcement:positive-list"))
    assert page.status_code == 200 and "甲化工有限公司" in page.content.decode() and "正面清单" in page.content.decode()


def test_plan_page_draw_and_staff_only(client, county):
    client.force_login(county["township_a"])
    assert client.get(reverse("enforcement:plan")).status_code == 403
    client.force_login(county["bureau"])
    today = clock.now().date()
    response = client.post(reverse("enforcement:plan-draw") + f"?year={today.year}&month={today.month}")
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert str(plan.seed) in page and "乙印染有限公司" in page and "现场检查" in page  # red: drawn every month


def test_case_record_and_statistics_pages(client, county):
    lead, second = county["officers"]
    a = county["a"]
    lines = checklist_build(permit=a.permits.get()).lines.all()
    start = clock.now() - dt.timedelta(hours=1)
    insp = services.inspection_record_on_site(
        user=lead, enterprise=a, officers=[second], client_uuid=uuid.uuid4(), started_at=start, ended_at=clock.now(),
        answers=[{"line": line.pk, "result": "fail", "note": "排口标识缺失"} for line in lines], latitude=30.6,
        longitude=120.5, findings="排口标识缺失", case_lead=True)
    case = insp.cases.get()
    client.force_login(lead)
    record = client.get(reverse("enforcement:on-site-record", args=[insp.pk])).content.decode()
    assert "现场检查笔录" in record and "排口标识缺失" in record and "30.60000" in record
    case_page = client.get(reverse("enforcement:case-detail", args=[case.pk])).content.decode()
    assert "案源" in case_page or "来源" in case_page
    today = clock.now().date()
    stats = client.get(reverse("enforcement:officer-stats") + f"?year={today.year}&month={today.month}")
    assert stats.status_code == 200 and "现场检查笔录" in stats.content.decode()
    cell = client.get(reverse("enforcement:officer-stat-cell", args=[lead.pk, "case_leads"])
                      + f"?year={today.year}&month={today.month}")
    assert a.name in cell.content.decode()
    client.force_login(county["account_a"])
    assert client.get(reverse("enforcement:officer-stats")).status_code == 403
    assert client.get(reverse("enforcement:case-detail", args=[case.pk])).status_code == 200
    client.force_login(f.user(Role.TOWNSHIP, township=county["b"].township))
    assert client.get(reverse("enforcement:case-detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("enforcement:on-site-record", args=[insp.pk])).status_code == 403


def test_the_officer_takes_the_case_steps_on_the_case_page(client, county):
    from dispatch.services import work_order_open

    officer, b = county["officers"][0], county["b"]  # b is red: factor 1.50
    order = work_order_open(source="manual", enterprise=b, title="COD 超标", opened_by=officer)
    case = services.case_open_lead(user=officer, work_order=order, facts="COD 日均值超标")
    url = reverse("enforcement:case-detail", args=[case.pk])
    client.force_login(officer)
    assert "立案" in client.get(url).content.decode()
    article = DiscretionArticle.objects.get(code="WPL-83-2")
    assert client.post(url, {"step": "file", "filing_number": "桐环立〔2026〕5号", "article": article.pk,
                             "filed_on": "2026-03-02"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'value="300000' in page  # the decision form starts from the suggestion: 200,000 × 1.50
    refused = client.post(url, {"step": "decide", "decision_number": "桐环罚〔2026〕5号", "decided_on": "2026-03-20",
                                "amount": "250000"})
    assert refused.status_code == 400 and "请说明理由" in refused.content.decode()
    assert client.post(url, {"step": "decide", "decision_number": "桐环罚〔2026〕5号", "decided_on": "2026-03-20",
                             "amount": "250000", "discretion_reason": "主动停产整改"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.amount, case.suggested_amount, case.discretion_reason) == (
        "decided", 250000, 300000, "主动停产整改")
    assert client.post(url, {"step": "file"}).status_code == 302  # a step of another state: refused, nothing changes
    client.force_login(f.user(Role.TOWNSHIP, township=b.township))  # sees the case, takes no step
    assert client.get(url).status_code == 200 and client.post(url, {"step": "execute"}).status_code == 403
