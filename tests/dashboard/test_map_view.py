"""The one map by viewport: clusters from the database that add up to the enterprises in the box, the
switch to the enterprises themselves at street zoom, filters, jurisdiction, access, and 400s in zh-Hans."""
import json
import re

import pytest
from django.urls import reverse

from dashboard.viewport import CLUSTER_FIELDS, POINTS_FROM_ZOOM

from .helpers import coloured, county, open_alert

pytestmark = pytest.mark.django_db
URL = "/dashboard/api/map/view/"
COUNTY_BOX = "119.9,29.9,120.2,30.2"  # every enterprise of helpers.county()
A_BOX = "120.0,30.0,120.035,30.035"  # township A's three only
CJK = re.compile(r"[\u4e00-\u9fff]")


def view(client, bbox, zoom, **params):
    response = client.get(URL, {"bbox": bbox, "zoom": zoom, **params})
    assert response.status_code == 200, response.content.decode()
    data = json.loads(response.content)
    data["records"] = [dict(zip(data["fields"], row)) for row in data["rows"]]
    return data


def test_clusters_add_up_to_the_enterprises_in_the_box_with_their_colours_and_warnings(client):
    c = county()
    for i in range(6):  # a tight group beside a_green: one cell at county zoom
        coloured(c["a"], "green" if i % 2 else "yellow", lat=30.011 + 0.0005 * i, lon=120.011)
    open_alert(c["b_orange"], rule="missing_data", pollutant="w01018")
    client.force_login(c["bureau"])
    data = view(client, COUNTY_BOX, 10)
    assert data["mode"] == "clusters" and data["fields"] == list(CLUSTER_FIELDS)
    cells = data["records"]
    assert data["count"] == sum(r["count"] for r in cells) == 11
    assert all(sum(r["mix"]) == r["count"] for r in cells)
    total_mix = [sum(r["mix"][i] for r in cells) for i in range(len(data["colours"]) + 1)]
    by_name = dict(zip(data["colours"] + ["none"], total_mix))
    assert by_name == {"green": 4, "blue": 1, "yellow": 3, "orange": 1, "red": 1, "grey": 0, "none": 1}
    assert sum(r["warned"] for r in cells) == 2  # a_red and b_orange
    assert len(cells) < 11  # grouped: at zoom 10 a cell is ~0.09°
    worst = {data["colours"][r["worst"]] for r in cells if r["worst"] is not None}
    assert "red" in worst and all(r["id"] is None for r in cells if r["count"] > 1)

    part = view(client, A_BOX, 10)  # a box around township A only: its nine enterprises
    assert part["count"] == sum(r["count"] for r in part["records"]) == 9


def test_a_cell_of_one_enterprise_carries_its_id_colour_and_position(client):
    c = county()
    client.force_login(c["bureau"])
    data = view(client, COUNTY_BOX, 14)  # a cell is ~0.0055°: the enterprises, 0.01° apart, are alone
    cells = {r["id"]: r for r in data["records"]}
    assert set(cells) == {c[k].pk for k in ("a_green", "a_red", "a_none", "b_orange", "b_blue")}
    red = cells[c["a_red"].pk]
    assert (red["lat"], red["lon"], red["count"], red["warned"]) == (30.02, 120.02, 1, 1)
    assert data["colours"][red["worst"]] == "red" and cells[c["a_none"].pk]["worst"] is None


def test_panning_keeps_the_grid(client):
    """The grid is anchored at 0°: a cell fully inside two overlapping boxes has the same members."""
    c = county()
    client.force_login(c["bureau"])
    first = {(r["lat"], r["lon"], r["count"]) for r in view(client, "119.9,29.9,120.2,30.2", 12)["records"]}
    moved = {(r["lat"], r["lon"], r["count"]) for r in view(client, "119.95,29.93,120.25,30.23", 12)["records"]}
    assert first == moved


def test_street_zoom_answers_the_enterprises_in_the_box(client):
    c = county()
    client.force_login(c["bureau"])
    data = view(client, A_BOX, POINTS_FROM_ZOOM)
    assert data["mode"] == "points" and data["count"] == 3
    rows = {r["id"]: r for r in data["records"]}
    assert set(rows) == {c["a_green"].pk, c["a_red"].pk, c["a_none"].pk}
    assert rows[c["a_red"].pk]["warnings"] == 1 and data["colours"][rows[c["a_red"].pk]["colour"]] == "red"
    assert view(client, A_BOX, POINTS_FROM_ZOOM - 1)["mode"] == "clusters"


@pytest.mark.parametrize("params, expected", [
    ({"colour": "red"}, 1), ({"colour": "none"}, 1), ({"warnings": "1"}, 1), ({"warnings": "0"}, 4),
    ({"class": "key"}, 3),
])
def test_the_maps_filters_apply(client, params, expected):
    c = county()
    client.force_login(c["bureau"])
    assert view(client, COUNTY_BOX, 10, **params)["count"] == expected
    assert view(client, COUNTY_BOX, POINTS_FROM_ZOOM - 2, **params)["count"] == expected


def test_township_officer_sees_only_his_township(client):
    c = county()
    client.force_login(c["officer_a"])
    assert view(client, COUNTY_BOX, 10)["count"] == 3
    assert view(client, "120.05,30.05,120.08,30.08", POINTS_FROM_ZOOM)["count"] == 0  # township B's box
    assert view(client, COUNTY_BOX, 10, township=str(c["b"].pk))["count"] == 0
    client.force_login(c["bureau"])
    assert view(client, "120.05,30.05,120.08,30.08", POINTS_FROM_ZOOM)["count"] == 2


def test_only_dashboard_users(client):
    c = county()
    url = f"{URL}?bbox={COUNTY_BOX}&zoom=10"
    assert client.get(url).status_code == 302
    client.force_login(c["ent_user"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("params", [
    {}, {"zoom": "10"}, {"bbox": COUNTY_BOX}, {"bbox": "a,b,c,d", "zoom": "10"},
    {"bbox": "120,30,121", "zoom": "10"}, {"bbox": "121,30,120,31", "zoom": "10"},
    {"bbox": "120,30,121,95", "zoom": "10"}, {"bbox": "120,30,nan,31", "zoom": "10"},
    {"bbox": COUNTY_BOX, "zoom": "1.5"}, {"bbox": COUNTY_BOX, "zoom": "25"}, {"bbox": COUNTY_BOX, "zoom": "-1"},
    {"bbox": "100,20,130,40", "zoom": "15"},  # a whole country at street zoom: not one screen
    {"bbox": COUNTY_BOX, "zoom": "10", "colour": "purple"},
])
def test_bad_viewport_is_400_with_a_chinese_reason(client, params):
    c = county()
    client.force_login(c["bureau"])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert CJK.search(response.json()["error"]), response.json()["error"]


def test_the_map_page_points_its_script_at_the_viewport_endpoint_and_frames_the_visible_enterprises(client):
    c = county()
    client.force_login(c["officer_a"])
    page = client.get(reverse("dashboard:map"))
    assert page.status_code == 200
    assert page.context["urls"]["view"] == URL
    (south, west), (north, east) = page.context["extent"]
    assert (south, west, north, east) == (30.01, 120.01, 30.03, 120.03)  # township A's enterprises
