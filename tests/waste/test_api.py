"""The REST API of waste: the bulk upload of positions (exactly once, all or nothing, clear reasons,
carriers only for their own vehicles) and the manifests each party may read."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from core import clock
from enterprises.models import Role
from tests import factories as f
from waste.models import GpsPoint
from waste.services.alerts import transfers_check

from .support import T0, draft, ship, track, upload, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(hours=2)


@pytest.fixture
def w():
    with clock.frozen(NOW):
        yield world()


def test_a_resent_batch_stores_nothing_twice(w):
    rows = track()
    with clock.frozen(NOW):
        first = upload(w.carrier_user, rows)
        again = upload(w.carrier_user, rows)
        overlap = upload(w.carrier_user, track(start=T0 + dt.timedelta(minutes=30)))
    assert first.json() == {"received": 41, "stored": 41, "duplicates": 0}
    assert again.json() == {"received": 41, "stored": 0, "duplicates": 41}
    assert overlap.json() == {"received": 41, "stored": 30, "duplicates": 11}
    assert GpsPoint.objects.filter(vehicle=w.vehicle).count() == 71
    w.vehicle.refresh_from_db()
    assert w.vehicle.last_seen_at == T0 + dt.timedelta(minutes=70)


@pytest.mark.parametrize("change, reason", [
    ({"latitude": 95}, "bad_coordinates"),
    ({"longitude": -181}, "bad_coordinates"),
    ({"latitude": 0, "longitude": 0}, "no_fix"),
    ({"latitude": 51.5, "longitude": -0.12}, "outside_china"),
    ({"at": (NOW + dt.timedelta(hours=1)).isoformat()}, "future_time"),
    ({"at": "yesterday"}, "bad_time"),
    ({"speed": 480}, "bad_speed"),
    ({"direction": 400}, "bad_direction"),
    ({"latitude": "north"}, "bad_field"),
    ({"plate": "浙X00000"}, "unknown_vehicle"),
    ({"colour": "red"}, "bad_field"),
])
def test_a_bad_row_is_refused_with_its_reason_and_nothing_is_stored(w, change, reason):
    rows = track()
    rows[7].update(change)
    with clock.frozen(NOW):
        response = upload(w.carrier_user, rows)
    assert response.status_code == 400
    body = response.json()
    assert body["stored"] == 0 and [(e["row"], e["reason"]) for e in body["errors"]] == [(8, reason)]
    assert body["errors"][0]["detail"]
    assert GpsPoint.objects.count() == 0


def test_only_the_carrier_and_bureau_may_send(w):
    rows = track(minutes=2)
    with clock.frozen(NOW):
        assert upload(w.producer_user, rows).json()["errors"][0]["reason"] == "forbidden"
        assert upload(w.officer, rows).status_code == 403
        assert upload(f.user(Role.BUREAU), rows).json()["stored"] == 3
        assert upload(w.carrier_user, {"points": []}).status_code == 400


def test_the_manifest_api_lists_what_each_party_may_see(w):
    with clock.frozen(NOW):
        manifest = ship(w, draft(w), refuse="车辆运输轨迹缺失，拒收")
        transfers_check(NOW)
    other_town = f.user(Role.TOWNSHIP, township=f.township("濮院镇"))
    for user, visible in ((w.producer_user, True), (w.carrier_user, True), (w.receiver_user, True),
                          (w.officer, True), (other_town, False)):
        client = APIClient()
        client.force_authenticate(user)
        listed = [m["number"] for m in client.get("/api/v1/waste/manifests/").json()["results"]]
        assert listed == ([manifest.number] if visible else []), user
        detail = client.get(f"/api/v1/waste/manifests/{manifest.pk}/warnings/")
        assert detail.status_code == (200 if visible else 404)
    client = APIClient()
    client.force_authenticate(w.officer)
    body = client.get(f"/api/v1/waste/manifests/{manifest.pk}/").json()
    assert (body["state"], body["refusal_reason"], body["plate"]) == ("refused", "车辆运输轨迹缺失，拒收", "浙F12345")
    rules = {a["rule"] for a in client.get(f"/api/v1/waste/manifests/{manifest.pk}/warnings/").json()}
    assert rules == {"refused"}
