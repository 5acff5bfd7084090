"""Pollution-source tracing: jump detection, the scoring function, ranking upwind above downwind on a
hand-built case, jurisdiction of candidates and opening a work order from a candidate."""
import datetime as dt
import math

import pytest
from django.utils import timezone

from core import clock
from dashboard.tracing import angle_between, detect_jumps, rank_sources, source_score
from dispatch.models import WorkOrder
from enterprises.models import Pollutant, Role
from monitoring.models import Reading, Station
from tests import factories as f

from .helpers import NOW, coloured, station_device

T0 = NOW - dt.timedelta(hours=8)
KM_LAT = 1 / 111.32  # degrees of latitude per km


def hours(values):
    return [(T0 + dt.timedelta(hours=i), v) for i, v in enumerate(values)]


def test_detect_jumps_reports_the_onset_only():
    series = hours([30, 32, 29, 31, 30, 33, 90, 95, 40, 31])
    jumps = detect_jumps(series, min_rise=15)
    assert [(j.at, j.value) for j in jumps] == [(T0 + dt.timedelta(hours=6), 90)]
    assert jumps[0].baseline == pytest.approx(30.5)
    assert detect_jumps(hours([30, 32, 29, 31, 30, 33, 40]), min_rise=15) == []  # too small a rise
    assert detect_jumps(hours([30, 90]), min_rise=15) == []  # not enough history


def test_score_prefers_upwind_near_emitting_sources():
    base = dict(distance=1000, wind_from=0.0, wind_speed=3.0, emits=True, limit_ratio=None)
    upwind, downwind = source_score(bearing=0, **base), source_score(bearing=180, **base)
    crosswind = source_score(bearing=90, **base)
    assert upwind["score"] > crosswind["score"] > downwind["score"]
    assert source_score(bearing=0, **{**base, "distance": 4000})["score"] < upwind["score"]
    assert source_score(bearing=0, **{**base, "emits": False})["score"] < upwind["score"]
    assert source_score(bearing=0, **{**base, "limit_ratio": 1.5})["score"] > upwind["score"]
    calm = source_score(bearing=180, **{**base, "wind_speed": 0.2})
    assert calm["calm"] and calm["direction"] == 0.5
    assert angle_between(350, 10) == 20 and angle_between(0, 180) == 180
    assert math.isclose(upwind["direction"], 1.0)


def put(device, station, code, values):
    pol = Pollutant.objects.get(code=code)
    Reading.objects.bulk_create([
        Reading(device=device, station=station, pollutant=pol, kind="hour", observed_at=at, value=v, avg=v,
                flag="N", received_at=at) for at, v in values])


@pytest.fixture
def traced():
    town = f.township("甲镇")
    station = Station.objects.create(code="AQ01", name="甲镇站", township=town, latitude=30.05, longitude=120.05)
    device = station_device(station)
    put(device, station, "a34004", hours([30, 32, 29, 31, 30, 33, 31, 30, 95]))  # jump at T0+8h = NOW
    put(device, station, "a01008", hours([0] * 9))    # wind from the north
    put(device, station, "a01007", hours([3.0] * 9))  # 3 m/s
    ents = {}
    for name, dlat, limits in [("upwind", KM_LAT, {"a34013": 20}), ("downwind", -KM_LAT, {"a34013": 20}),
                               ("upwind_no_dust", KM_LAT * 1.1, {"a21026": 50}),
                               ("far_upwind", KM_LAT * 5, {"a34013": 20})]:
        ent = coloured(town, "green", lat=30.05 + dlat, lon=120.05, name=name)
        f.outlet(f.permit(ent), "DA001", "air", limits=limits)
        ents[name] = ent
    return station, ents, town


@pytest.mark.django_db
def test_upwind_source_ranks_first_and_downwind_lower(traced):
    station, ents, _town = traced
    with clock.frozen(NOW):
        result = rank_sources(f.bureau_user(), station, "a34004", NOW)
    names = [c["name"] for c in result["candidates"]]
    assert result["wind_from"] == 0 and result["wind_speed"] == 3.0
    assert names[0] == "upwind"
    assert names.index("downwind") > names.index("upwind_no_dust")
    assert names.index("downwind") > names.index("far_upwind")
    by_name = {c["name"]: c for c in result["candidates"]}
    assert by_name["upwind"]["bearing"] in (0, 360) and by_name["downwind"]["bearing"] == 180


@pytest.mark.django_db
def test_tracing_pages_list_the_jump_and_open_a_work_order_once(client, traced):
    station, ents, town = traced
    officer = f.user(Role.TOWNSHIP, township=town)
    client.force_login(officer)
    with clock.frozen(NOW + dt.timedelta(minutes=30)):
        listing = client.get("/dashboard/tracing/", {"pollutant": "a34004"})
        assert listing.status_code == 200
        assert [(s.pk, j.at) for s, j in listing.context["jumps"]] == [(station.pk, NOW)]
        at = timezone.localtime(NOW).isoformat()
        page = client.get(f"/dashboard/tracing/{station.pk}/", {"pollutant": "a34004", "at": at})
        assert page.context["result"]["candidates"][0]["id"] == ents["upwind"].pk
        post = {"enterprise": ents["upwind"].pk, "pollutant": "a34004", "at": at}
        first = client.post(f"/dashboard/tracing/{station.pk}/open/", post)
        again = client.post(f"/dashboard/tracing/{station.pk}/open/", post)
    order = WorkOrder.objects.get()
    assert first.status_code == again.status_code == 302 and first["Location"].endswith(f"/orders/{order.pk}/")
    assert order.source == "station" and order.enterprise == ents["upwind"]
    assert order.evidence["candidate"]["id"] == ents["upwind"].pk and order.opened_by == officer


@pytest.mark.django_db
def test_tracing_respects_jurisdiction_and_csrf(traced):
    from django.test import Client

    station, ents, _town = traced
    other = f.user(Role.TOWNSHIP, township=f.township("乙镇"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    at = NOW.isoformat()
    assert client.get(f"/dashboard/tracing/{station.pk}/", {"pollutant": "a34004", "at": at}).status_code == 404
    bureau = Client(enforce_csrf_checks=True)
    bureau.force_login(f.bureau_user())
    response = bureau.post(f"/dashboard/tracing/{station.pk}/open/",
                           {"enterprise": ents["upwind"].pk, "pollutant": "a34004", "at": at})
    assert response.status_code == 403 and not WorkOrder.objects.exists()
    assert bureau.get(f"/dashboard/tracing/{station.pk}/", {"pollutant": "nope", "at": at}).status_code == 400
