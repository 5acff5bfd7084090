"""Steward health checks (一企一策): a plan's overdue items show up for the enterprise and its
township (not for others), done items drop out, the hourly reminder tells the enterprise once."""
import datetime as dt

import pytest

from core import clock
from notifications.models import Notification
from outreach import selectors
from outreach.services import healthchecks
from outreach.services.errors import OutreachError
from outreach.tasks import outreach_reminders

from .conftest import logged_in

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 10, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def plan(county):
    with clock.frozen(NOW - dt.timedelta(days=40)):
        return healthchecks.health_check_record(
            user=county.account_a, enterprise=county.ent_a, checked_on=dt.date(2026, 8, 1),
            steward="桐乡绿源环保管家 李工", summary="危废管理和废气收集存在隐患。", items=[
                {"risk": "危废暂存间无防渗", "measure": "铺设防渗层", "deadline": dt.date(2026, 8, 20),
                 "severity": "high"},
                {"risk": "废气收集罩破损", "measure": "更换集气罩", "deadline": dt.date(2026, 9, 5)},
                {"risk": "台账不全", "measure": "补齐运行台账", "deadline": dt.date(2026, 10, 1), "severity": "low"}])


def test_overdue_items_show_up_for_the_right_people(county, plan):
    with clock.frozen(NOW):
        overdue = list(selectors.overdue_remedies(county.officer_a))
        assert [i.measure for i in overdue] == ["铺设防渗层", "更换集气罩"]
        assert [selectors.overdue_days(i) for i in overdue] == [21, 5]
        assert list(selectors.overdue_remedies(county.officer_b)) == []
        assert list(selectors.overdue_remedies(county.account_b)) == []
        page = logged_in(county.officer_a).get("/outreach/health/").content.decode()
        assert "铺设防渗层" in page and "21" in page and "台账不全" not in page.split("超期整改事项")[1].split("环保体检")[0]
        assert "铺设防渗层" not in logged_in(county.officer_b).get("/outreach/health/").content.decode()
        assert logged_in(county.officer_b).get(f"/outreach/health/{plan.pk}/").status_code == 404
        detail = logged_in(county.account_a).get(f"/outreach/health/{plan.pk}/").content.decode()
        assert detail.count("已超期") == 2
        [check] = selectors.visible_health_checks(county.bureau)
        assert (check.open_items, check.overdue_items) == (3, 2)
        item = overdue[0]
        assert logged_in(county.officer_a).post(f"/outreach/health/items/{item.pk}/done/",
                                                {"note": "已铺设 HDPE 防渗膜"}).status_code == 302
        assert [i.measure for i in selectors.overdue_remedies(county.bureau)] == ["更换集气罩"]
        with pytest.raises(OutreachError):
            healthchecks.remedy_item_done(user=county.officer_a, item=item, note="再次")


def test_the_reminder_tells_the_enterprise_once(county, plan):
    with clock.frozen(NOW):
        assert outreach_reminders.apply().get() == {"expired_attempts": 0, "remedy_reminders": 2}
        assert outreach_reminders.apply().get() == {"expired_attempts": 0, "remedy_reminders": 0}
    assert Notification.objects.filter(enterprise=county.ent_a, kind="remedy_overdue").count() == 2


def test_recording_checks_what_it_is_given(county):
    c = county
    base = dict(enterprise=c.ent_a, checked_on=dt.date(2026, 8, 1), summary="结论")
    item = {"risk": "风险", "measure": "措施", "deadline": dt.date(2026, 9, 1)}
    with clock.frozen(NOW):
        with pytest.raises(OutreachError):
            healthchecks.health_check_record(user=c.account_a, items=[item], **base)  # an enterprise names its steward
        with pytest.raises(OutreachError):
            healthchecks.health_check_record(user=c.officer_b, items=[item], **base)  # another township
        with pytest.raises(OutreachError):
            healthchecks.health_check_record(user=c.officer_a, items=[], **base)
        with pytest.raises(OutreachError):
            healthchecks.health_check_record(user=c.officer_a, items=[{**item, "deadline": dt.date(2026, 7, 1)}],
                                             **base)
        page = logged_in(c.officer_a).post("/outreach/health/new/", {
            "enterprise": c.ent_a.pk, "checked_on": "2026-08-01", "summary": "结论", "risk-0": "风险",
            "measure-0": "措施", "deadline-0": "2026-09-01", "severity-0": "medium"})
        assert page.status_code == 302
        bad = logged_in(c.officer_a).post("/outreach/health/new/", {
            "enterprise": c.ent_a.pk, "checked_on": "2026-08-01", "summary": "结论", "risk-0": "风险"})
        assert bad.status_code == 400 and "每项整改都需要" in bad.content.decode()
