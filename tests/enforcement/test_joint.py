"""Joint inspections: the bureau invites a township team and a neighbouring county; each party sees and
signs only its own part, on the page and through the API; a signed part no longer changes."""
import datetime as dt

import pytest
from django.urls import reverse

from dispatch.workflow import NotAllowed, WorkflowError
from enforcement import services
from enforcement.models import JointPart
from enterprises.models import Role
from notifications.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db
COUNTY = "嘉兴市秀洲区生态环境分局"


@pytest.fixture
def joint():
    town_a, town_b = f.township("甲镇"), f.township("乙镇")
    ent = f.enterprise(town_a, name="甲化工有限公司")
    people = {"officer": f.user(Role.ENFORCEMENT), "town_a": f.user(Role.TOWNSHIP, township=town_a),
              "town_b": f.user(Role.TOWNSHIP, township=town_b), "account": f.user(Role.ENTERPRISE, enterprise=ent)}
    j = services.joint_inspection_invite(user=people["officer"], enterprise=ent, planned_on=dt.date(2026, 12, 8),
                                         purpose="夜间异味投诉联合排查", townships=[town_a], counties=[COUNTY, " "])
    parts = {p.party: p for p in j.parts.all()}
    return j, parts, people


def test_invitation_makes_one_part_per_party_and_tells_the_township(joint):
    j, parts, people = joint
    assert sorted(parts) == ["bureau", "county", "township"] and parts["county"].agency == COUNTY
    told = Notification.objects.get(user=people["town_a"])
    assert "甲化工有限公司" in told.body and f"/enforcement/joint/{j.pk}/" == told.url
    assert not Notification.objects.filter(user=people["town_b"]).exists()
    with pytest.raises(WorkflowError):
        services.joint_inspection_invite(user=people["officer"], enterprise=j.enterprise, planned_on=j.planned_on,
                                         purpose="x")  # nobody invited
    with pytest.raises(NotAllowed):
        services.joint_inspection_invite(user=people["town_a"], enterprise=j.enterprise, planned_on=j.planned_on,
                                         purpose="x", counties=[COUNTY])


@pytest.mark.usefixtures("english")
def test_each_party_writes_and_signs_its_own_part(joint):
    j, parts, people = joint
    with pytest.raises(NotAllowed):
        services.joint_part_record(part=parts["bureau"], user=people["town_a"], findings="x")
    with pytest.raises(NotAllowed):
        services.joint_part_record(part=parts["township"], user=people["town_b"], findings="x")
    with pytest.raises(WorkflowError, match="findings"):
        services.joint_part_sign(part=parts["township"], user=people["town_a"])
    services.joint_part_record(part=parts["township"], user=people["town_a"], findings="雨水口有污水痕迹",
                               problems_found=1)
    signed = services.joint_part_sign(part=parts["township"], user=people["town_a"])
    assert signed.signer_name == people["town_a"].username and signed.signed_at is not None
    with pytest.raises(WorkflowError, match="signed"):
        services.joint_part_record(part=parts["township"], user=people["town_a"], findings="改")
    services.joint_part_record(part=parts["county"], user=people["officer"], findings="跨界河段水质正常")
    with pytest.raises(WorkflowError, match="name"):
        services.joint_part_sign(part=parts["county"], user=people["officer"], signer_name=" ")
    county = services.joint_part_sign(part=parts["county"], user=people["officer"], signer_name="王五")
    assert (county.signer_name, county.signed_by) == ("王五", people["officer"])


def test_the_page_shows_each_party_its_own_part(client, joint):
    j, parts, people = joint
    services.joint_part_record(part=parts["bureau"], user=people["officer"], findings="废气收集罩破损")
    url = reverse("enforcement:joint-detail", args=[j.pk])
    client.force_login(people["town_a"])
    page = client.get(url).content.decode()
    assert "甲镇" in page and "废气收集罩破损" not in page and COUNTY not in page
    response = client.post(url, {"part": parts["bureau"].pk, "step": "record", "findings": "x", "problems_found": 0})
    assert response.status_code == 403
    response = client.post(url, {"part": parts["township"].pk, "step": "record", "findings": "无异常",
                                 "problems_found": 0})
    assert response.status_code == 302 and JointPart.objects.get(pk=parts["township"].pk).findings == "无异常"
    assert client.get(reverse("enforcement:joint-list")).content.decode().count(url) == 1
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert "废气收集罩破损" in page and COUNTY in page and "无异常" in page
    for other in ("town_b", "account"):
        client.force_login(people[other])
        assert client.get(url).status_code in (403, 404)
    assert client.get(reverse("enforcement:joint-list")).status_code == 403


def test_staff_invite_from_the_page(client, joint):
    j, _parts, people = joint
    client.force_login(people["officer"])
    response = client.post(reverse("enforcement:joint-list"), {
        "credit_code": j.enterprise.credit_code, "planned_on": "2026-12-20", "purpose": "复查",
        "counties": f"{COUNTY}\n"})
    assert response.status_code == 302
    assert JointPart.objects.filter(party="county", joint__purpose="复查").count() == 1
    bad = client.post(reverse("enforcement:joint-list"), {"credit_code": "X", "planned_on": "2026-12-20",
                                                           "purpose": "复查", "counties": COUNTY})
    assert bad.status_code == 400


def test_the_api_gives_each_party_its_part_and_lets_it_sign(client, joint):
    j, parts, people = joint
    client.force_login(people["town_a"])
    listed = client.get("/api/v1/joint-inspections/").json()["results"]
    assert [p["party"] for p in listed[0]["parts"]] == ["township"]
    assert client.post(f"/api/v1/joint-parts/{parts['bureau'].pk}/record/", {"findings": "x"},
                       content_type="application/json").status_code == 404
    assert client.post(f"/api/v1/joint-parts/{parts['township'].pk}/record/", {"findings": "无异常"},
                       content_type="application/json").status_code == 200
    signed = client.post(f"/api/v1/joint-parts/{parts['township'].pk}/sign/", {}, content_type="application/json")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    again = client.post(f"/api/v1/joint-parts/{parts['township'].pk}/record/", {"findings": "改"},
                        content_type="application/json")
    assert again.status_code == 409
    client.force_login(people["town_b"])
    assert client.get("/api/v1/joint-inspections/").json()["results"] == []
