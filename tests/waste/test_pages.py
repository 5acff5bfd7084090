"""The waste pages as users see them: the list with its filters, a manifest with its route, gaps and
warnings, the signing buttons of each party, the ledger checked against the manifests; all in zh-Hans
and cut to each user's jurisdiction."""
import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from core import clock
from enterprises.models import Role
from tests import factories as f
from waste.models import LedgerEntry
from waste.services.alerts import transfers_check

from .support import T0, draft, ship, track, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(hours=1)


@pytest.fixture
def w():
    with clock.frozen(NOW):
        yield world()


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_the_manifest_page_shows_route_gap_and_warning(w):
    with clock.frozen(NOW):
        m = ship(w, draft(w), rows=[r for i, r in enumerate(track()) if not 10 < i < 30])
        transfers_check(NOW)
        page = client_for(w.officer).get(f"/waste/{m.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert m.number in html and "浙F12345" in html and "粉煤灰" in html
    assert "运输轨迹缺失" in html or "轨迹缺失" in html
    route = page.context["route"]
    assert len(route.points) == 22 and len(route.gaps) == 1 and route.gaps[0]["minutes"] == 20
    assert [len(s) for s in route.segments] == [11, 11] and route.gaps[0]["from"] == "2026-11-20 09:10"
    assert 'id="routemap"' in html and "route-data" in html
    assert "10.000 吨" in html or "10 吨" in html


def test_each_party_sees_its_own_button(w):
    with clock.frozen(NOW):
        m = draft(w)
        assert "签收发车" in client_for(w.carrier_user).get(f"/waste/{m.pk}/").content.decode()
        assert "签收发车" not in client_for(w.producer_user).get(f"/waste/{m.pk}/").content.decode()
        response = client_for(w.producer_user).post(f"/waste/{m.pk}/depart/")
        m.refresh_from_db()
        assert response.status_code == 403 and m.state == "drafted"
        client_for(w.carrier_user).post(f"/waste/{m.pk}/depart/")
        client_for(w.carrier_user).post(f"/waste/{m.pk}/arrive/")
        page = client_for(w.receiver_user).get(f"/waste/{m.pk}/").content.decode()
        assert "确认接收量" in page and "拒收" in page
        client_for(w.receiver_user).post(f"/waste/{m.pk}/refuse/", {"reason": "运输轨迹缺失"})
    m.refresh_from_db()
    assert m.state == "refused" and m.refusal_reason == "运输轨迹缺失"


def test_jurisdiction_and_roles(w):
    with clock.frozen(NOW):
        m = draft(w)
        other_town = f.township("濮院镇")
        outsider_officer = f.user(Role.TOWNSHIP, township=other_town)
        outsider_enterprise = f.user(Role.ENTERPRISE, enterprise=f.enterprise(other_town))
        for user in (outsider_officer, outsider_enterprise):
            assert client_for(user).get(f"/waste/{m.pk}/").status_code == 404
            assert m.number not in client_for(user).get("/waste/").content.decode()
        for user in (w.officer, w.producer_user, w.carrier_user, w.receiver_user, f.user(Role.BUREAU)):
            assert client_for(user).get(f"/waste/{m.pk}/").status_code == 200
        assert Client().get("/waste/").status_code == 302  # to the login
        assert client_for(outsider_officer).get(f"/waste/ledger/?enterprise={w.producer.pk}").status_code == 404
        assert client_for(w.officer).get("/waste/new/").status_code == 403


def test_the_list_filters(w):
    with clock.frozen(NOW):
        done = ship(w, draft(w))
        waiting = draft(w)
        c = client_for(w.officer)
        listed = lambda query: [m.pk for m in c.get(f"/waste/?{query}").context["manifests"]]  # noqa: E731
        assert sorted(listed("")) == sorted([done.pk, waiting.pk])
        assert listed("state=received") == [done.pk]
        assert listed("state=drafted") == [waiting.pk]
        assert listed("kind=hazardous") == []
        assert listed(f"q={done.number}") == [done.pk]
        page = c.get("/waste/").content.decode()
    assert "转移联单" in page and "已接收" in page


def test_drafting_through_the_form(w):
    with clock.frozen(NOW):
        c = client_for(w.producer_user)
        assert c.get("/waste/new/").status_code == 200
        data = {"category": w.ash.pk, "quantity": "12.5", "unit": "t", "packaging": "bulk", "carrier": w.carrier.pk,
                "vehicle": w.vehicle.pk, "receiver": w.facility.pk, "planned_departure": "2026-11-21T08:00",
                "planned_arrival": "2026-11-21T09:00"}
        response = c.post("/waste/new/", data)
        assert response.status_code == 302
        refused = c.post("/waste/new/", {**data, "planned_departure": "2027-02-01T08:00",
                                         "planned_arrival": "2027-02-01T09:00"})
    assert refused.status_code == 200 and "资质" in refused.content.decode()


def test_the_ledger_checks_against_the_manifests(w):
    month = T0.date().replace(day=1)
    LedgerEntry.objects.create(enterprise=w.producer, category=w.ash, month=month.replace(month=10),
                               generated_t=Decimal("30"), shipped_t=Decimal("0"), stored_t=Decimal("30"))
    LedgerEntry.objects.create(enterprise=w.producer, category=w.ash, month=month, generated_t=Decimal("25"),
                               shipped_t=Decimal("12"), stored_t=Decimal("45"))
    with clock.frozen(NOW):
        ship(w, draft(w), received="10.000")
        page = client_for(w.producer_user).get("/waste/ledger/")
    rows = page.context["rows"]
    november = [r for r in rows if r.month == month][0]
    assert (november.shipped, november.received, november.shipped_declared) == (Decimal("10.000"),
                                                                                  Decimal("10.000"), Decimal("12"))
    assert not november.shipped_matches  # declared 12 t, the manifests say 10 t
    assert november.expected_stored == Decimal("45.000") and november.stored_matches
    html = page.content.decode()
    assert "与联单不符" in html and "台账" in html
