"""The read-only API and the selectors the dashboard and other apps use."""
import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core import clock
from ecocode import selectors
from ecocode.services import scoring
from tests import factories as f

from .conftest import NOW
from .helpers import on_time_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(now):
    home, other = f.township(), f.township()
    good, bad, far = f.enterprise(home), f.enterprise(home), f.enterprise(other)
    permits = {ent: f.permit(ent) for ent in (good, bad, far)}
    for perm in permits.values():
        on_time_report(perm)
    scoring.score_all()
    permits[bad].status = "suspended"                    # M45: 10 points, at best orange (M43 already charged)
    permits[bad].save()
    with clock.frozen(NOW + dt.timedelta(days=1)):
        scoring.score_all()
    return home, good, bad, far


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_codes_of_my_jurisdiction_with_explanation(county):
    home, good, bad, far = county
    rows = api(f.user("township", township=home)).get("/api/v1/ecocode/codes/").json()["results"]
    assert {r["enterprise"]: r["colour"] for r in rows} == {good.pk: "green", bad.pk: "orange"}
    detail = api(f.user("township", township=home)).get(f"/api/v1/ecocode/codes/{bad.pk}/").json()
    first = detail["explanation"][0]
    assert first["code"] == "M45" and first["reason"]
    assert [(r["type"], r["label"], r["url"]) for r in first["records"]] == [
        ("permit", "排污许可证", f"/ecocode/records/permit/{bad.permits.get().pk}/")]
    assert detail["explanation"][1]["code"] == "M43" and detail["explanation"][1]["already_charged"][0]["by"] == "M45"
    assert api(f.user("township", township=home)).get(f"/api/v1/ecocode/codes/{far.pk}/").status_code == 404


def test_colour_changes_and_consequences(county):
    home, good, bad, far = county
    changes = api(f.bureau_user()).get("/api/v1/ecocode/colour-changes/?from_colour=green").json()["results"]
    assert [(c["enterprise"], c["to_colour"]) for c in changes] == [(bad.pk, "orange")]
    bands = api(f.user("enterprise", enterprise=good)).get("/api/v1/ecocode/consequences/").json()
    assert {b["colour"]: b["green_subsidy_eligible"] for b in bands}["orange"] is False


def test_selectors(county):
    home, good, bad, far = county
    township_officer = f.user("township", township=home)
    assert selectors.current_colours(township_officer) == {"green": 1, "orange": 1}
    assert selectors.current_colours(f.bureau_user()) == {"green": 2, "orange": 1}
    assert [c.enterprise for c in selectors.recent_colour_changes(township_officer)] == [bad]
    assert selectors.colours_of([good.pk, bad.pk]) == {good.pk: "green", bad.pk: "orange"}
    band = selectors.consequence_for(bad)
    assert (band.colour, band.green_subsidy_eligible, band.penalty_discretion_factor) == (
        "orange", False, Decimal("1.20"))
    assert selectors.consequence_for(f.enterprise()) is None          # not yet scored
