"""Self-assessment: the checklist of the enterprise's own permit, the platform's view beside each line
(exceedance warnings, execution reports, failed inspection lines), differences shown to its township."""
import datetime as dt

import pytest

from alerts.models import Alert
from core import clock
from enterprises.models import ExecutionReport, PermitItem
from outreach.models import SelfAssessment
from outreach.services import assessments
from outreach.services.errors import OutreachError
from tests import factories as f

from .conftest import logged_in

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 8, 10, 0, tzinfo=dt.timezone.utc)
START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


@pytest.fixture
def permit(county):
    permit = f.permit(county.ent_a)
    outlet = f.outlet(permit, limits={"w01018": 100})
    PermitItem.objects.create(permit=permit, category="hazardous_waste", title="危险废物规范贮存",
                              requirement="按规范设置危废暂存间")
    ExecutionReport.objects.create(permit=permit, kind="quarterly", period_start=dt.date(2026, 4, 1),
                                   period_end=dt.date(2026, 6, 30), due_on=dt.date(2026, 7, 15),
                                   submitted_on=dt.date(2026, 7, 20))
    limit = outlet.limits.get()
    Alert.objects.create(outlet=outlet, enterprise=county.ent_a, pollutant=limit.pollutant, rule="exceedance",
                         state="resolved", opened_at=dt.datetime(2026, 8, 3, 2, tzinfo=dt.timezone.utc),
                         last_seen_at=dt.datetime(2026, 8, 3, 3, tzinfo=dt.timezone.utc), value=130, limit_value=100)
    return permit


def test_platform_view_and_differences(county, permit):
    with clock.frozen(NOW):
        lines = {line["ref"].split(":")[0]: line for line in assessments.obligations(county.ent_a, START, END)}
    assert set(lines) == {"outlet", "limit", "item", "report"}
    assert (lines["limit"]["platform_ok"], lines["limit"]["platform_reason"]) == (False, "本期超标预警 1 次")
    assert (lines["report"]["platform_ok"], lines["report"]["platform_reason"]) == (False, "逾期提交")
    assert lines["outlet"]["platform_ok"] is True and lines["item"]["platform_ok"] is None
    client = logged_in(county.account_a)
    form = {"start": "2026-07-01", "end": "2026-09-30"}
    for ref in (line["ref"] for line in lines.values()):
        form[f"ok-{ref}"] = "1"  # declares everything kept
    with clock.frozen(NOW):
        assert client.post("/outreach/assessment/", form).status_code == 302
        again = client.post("/outreach/assessment/", form)
    assert again.status_code == 409 and "已提交" in again.content.decode()
    assessment = SelfAssessment.objects.get()
    assert assessment.differences == 2
    assert sorted(l.ref.split(":")[0] for l in assessment.lines.all() if l.differs) == ["limit", "report"]
    own = logged_in(county.officer_a).get("/outreach/assessment/differences/").content.decode()
    assert "甲镇印染有限公司" in own
    assert "甲镇印染有限公司" not in logged_in(county.officer_b).get("/outreach/assessment/differences/").content.decode()
    assert logged_in(county.officer_b).get(f"/outreach/assessment/{assessment.pk}/").status_code == 404
    detail = logged_in(county.officer_a).get(f"/outreach/assessment/{assessment.pk}/").content.decode()
    assert detail.count("不一致") >= 2


def test_every_line_must_be_declared(county, permit):
    with clock.frozen(NOW), pytest.raises(OutreachError) as missing:
        assessments.assessment_submit(user=county.account_a, start=START, end=END, declarations={})
    assert "尚缺" in missing.value.message
    with pytest.raises(OutreachError) as staff:
        assessments.assessment_submit(user=county.officer_a, start=START, end=END, declarations={})
    assert staff.value.status_code == 403
