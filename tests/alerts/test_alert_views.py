"""The warning pages: jurisdiction, acknowledgement, closing, maintenance windows."""
import pytest
from django.urls import reverse

from alerts.models import Alert, Silence
from alerts.services import evaluate
from core import clock
from enterprises.models import Role
from tests import factories as f

from .alert_support import MIN, T0, half_hour, site, window_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_townships():
    north, south = f.township("北镇"), f.township("南镇")
    out_n, _ = site(north)
    out_s, _ = site(south)
    half_hour(out_n, "w01018", window_start(T0), 130.0)
    half_hour(out_s, "w01018", window_start(T0), 140.0)
    with clock.frozen(T0):
        evaluate()
    return Alert.objects.get(outlet=out_n), Alert.objects.get(outlet=out_s)


def client_for(client, user):
    client.force_login(user)
    return client


def test_township_officer_sees_only_his_township(client, two_townships):
    mine, theirs = two_townships
    officer = f.user(Role.TOWNSHIP, township=mine.enterprise.township)
    c = client_for(client, officer)
    page = c.get(reverse("alerts:alert-list"))
    assert page.status_code == 200
    assert mine.enterprise.name in page.text and theirs.enterprise.name not in page.text
    assert c.get(reverse("alerts:alert-detail", args=[mine.pk])).status_code == 200
    assert c.get(reverse("alerts:alert-detail", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("alerts:alert-close", args=[theirs.pk]), {"reason": "x"}).status_code == 404


def test_enterprise_sees_its_own_and_acknowledges(client, two_townships):
    mine, theirs = two_townships
    account = f.user(Role.ENTERPRISE, enterprise=mine.enterprise)
    c = client_for(client, account)
    page = c.get(reverse("alerts:alert-list"))
    assert mine.enterprise.name in page.text and theirs.enterprise.name not in page.text
    assert c.get(reverse("alerts:alert-detail", args=[theirs.pk])).status_code == 404
    detail = c.get(reverse("alerts:alert-detail", args=[mine.pk]))
    assert reverse("alerts:alert-acknowledge", args=[mine.pk]) in detail.text
    assert c.post(reverse("alerts:alert-acknowledge", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.state == "acknowledged" and mine.acknowledged_by == account
    assert c.post(reverse("alerts:alert-close", args=[mine.pk]), {"reason": "自己关"}).status_code == 403


def test_staff_close_needs_a_reason(client, two_townships):
    mine, _ = two_townships
    c = client_for(client, f.user(Role.TOWNSHIP, township=mine.enterprise.township))
    c.post(reverse("alerts:alert-close", args=[mine.pk]), {"reason": ""})
    mine.refresh_from_db()
    assert mine.state == "notified"
    c.post(reverse("alerts:alert-close", args=[mine.pk]), {"reason": "现场核查为仪表故障"})
    mine.refresh_from_db()
    assert mine.state == "closed" and mine.close_reason == "现场核查为仪表故障"


def test_anonymous_is_sent_to_login(client, two_townships):
    assert client.get(reverse("alerts:alert-list")).status_code == 302


def test_enterprise_declares_a_maintenance_window_shown_on_the_warning_page(client, two_townships):
    mine, _ = two_townships
    c = client_for(client, f.user(Role.ENTERPRISE, enterprise=mine.enterprise))
    with clock.frozen(T0):
        fmt = "%Y-%m-%dT%H:%M"
        too_long = c.post(reverse("alerts:silence-create"), {
            "outlet": mine.outlet_id, "starts_at": T0.strftime(fmt), "ends_at": (T0 + 80 * 60 * MIN).strftime(fmt),
            "reason": "检修"})
        assert too_long.status_code == 400 and not Silence.objects.exists()
        ok = c.post(reverse("alerts:silence-create"), {
            "outlet": mine.outlet_id, "starts_at": T0.strftime(fmt), "ends_at": (T0 + 120 * MIN).strftime(fmt),
            "reason": "更换COD分析仪"})
        assert ok.status_code == 302
        assert "更换COD分析仪" in c.get(reverse("alerts:alert-detail", args=[mine.pk])).text


def test_enterprise_cannot_silence_another_enterprises_outlet(client, two_townships):
    mine, theirs = two_townships
    c = client_for(client, f.user(Role.ENTERPRISE, enterprise=mine.enterprise))
    with clock.frozen(T0):
        page = c.post(reverse("alerts:silence-create"), {
            "outlet": theirs.outlet_id, "starts_at": "2026-03-02T10:05", "ends_at": "2026-03-02T11:05",
            "reason": "x"})
    assert page.status_code == 400 and not Silence.objects.exists()
