"""The one map's data endpoint: the right rows and columns, every filter, bad input, ETag/gzip, the
side panel, and jurisdiction (a township officer sees only his township)."""
import gzip
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from core import clock

from .helpers import NOW, county

pytestmark = pytest.mark.django_db
URL = "/dashboard/api/map/"


def rows(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    index = {name: i for i, name in enumerate(data["fields"])}
    return data, {row[index["id"]]: {k: row[i] for k, i in index.items()} for row in data["rows"]}


def test_every_visible_enterprise_with_colour_class_and_warning_flag(client):
    c = county()
    client.force_login(c["bureau"])
    data, by_id = rows(client)
    assert data["count"] == 5 and set(by_id) == {c[k].pk for k in ("a_green", "a_red", "a_none", "b_orange", "b_blue")}
    red = by_id[c["a_red"].pk]
    assert data["colours"][red["colour"]] == "red"
    assert data["classes"][red["class"]] == "simplified"
    assert red["warnings"] == 1 and by_id[c["a_green"].pk]["warnings"] == 0
    assert by_id[c["a_none"].pk]["colour"] is None
    assert (red["lat"], red["lon"]) == (30.02, 120.02)
    assert red["township"] == c["a"].pk


@pytest.mark.parametrize("params, expected", [
    ({"colour": "red"}, {"a_red"}),
    ({"colour": "green,orange"}, {"a_green", "b_orange"}),
    ({"colour": "none"}, {"a_none"}),
    ({"class": "simplified"}, {"a_red"}),
    ({"industry": "C2614"}, {"a_red"}),
    ({"industry": "C33"}, {"b_blue"}),
    ({"warnings": "1"}, {"a_red"}),
    ({"warnings": "0"}, {"a_green", "a_none", "b_orange", "b_blue"}),
    ({"class": "key", "industry": "C1713"}, {"a_green", "b_orange"}),
])
def test_filters(client, params, expected):
    c = county()
    client.force_login(c["bureau"])
    _data, by_id = rows(client, **params)
    assert set(by_id) == {c[k].pk for k in expected}


def test_township_filter(client):
    c = county()
    client.force_login(c["bureau"])
    _data, by_id = rows(client, township=str(c["b"].pk))
    assert set(by_id) == {c["b_orange"].pk, c["b_blue"].pk}


@pytest.mark.parametrize("params", [{"colour": "purple"}, {"township": "x"}, {"class": "big"},
                                    {"industry": "12"}, {"warnings": "yes"}])
def test_bad_filters_are_400_with_the_reason(client, params):
    c = county()
    client.force_login(c["bureau"])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert list(params)[0] in response.json()["error"]


def test_township_officer_sees_only_his_township_even_when_asking_for_another(client):
    c = county()
    client.force_login(c["officer_a"])
    _data, by_id = rows(client)
    assert set(by_id) == {c["a_green"].pk, c["a_red"].pk, c["a_none"].pk}
    _data, by_id = rows(client, township=str(c["b"].pk))
    assert by_id == {}


def test_etag_gives_304_and_response_is_gzipped(client):
    c = county()
    client.force_login(c["bureau"])
    first = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and "max-age" in first["Cache-Control"]
    assert json.loads(gzip.decompress(first.content))["count"] == 5
    again = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    c["b_blue"].eco_code.colour = "red"
    c["b_blue"].eco_code.save()
    changed = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_side_panel_has_permit_limits_alerts_and_respects_jurisdiction(client):
    c = county()
    client.force_login(c["officer_a"])
    with clock.frozen(NOW):
        panel = client.get(reverse("dashboard:enterprise-panel", args=[c["a_red"].pk])).json()
        assert panel["colour"] == "red" and panel["permit"]["number"]
        assert [(l["outlet"], l["pollutant"], l["limit"]) for l in panel["limits"]] == [("DW001", "w01018", 100.0)]
        assert [a["id"] for a in panel["alerts"]] == [c["alert"].pk]
        # Times in the county's zone: the panel prints their first 16 characters.
        local = timezone.localtime(c["alert"].opened_at)
        assert panel["alerts"][0]["opened_at"][:16] == local.strftime("%Y-%m-%dT%H:%M")
        assert panel["alerts"][0]["opened_at"].endswith("+08:00")
        assert client.get(reverse("dashboard:enterprise-panel", args=[c["b_blue"].pk])).status_code == 404


def test_database_built_rows_equal_the_python_rows():
    """On PostgreSQL the endpoint lets the database build the JSON; it must equal the portable path."""
    from django.http import QueryDict

    from dashboard import filters, selectors

    from .helpers import coloured

    c = county()
    coloured(c["a"], "green", lat=30.545495, lon=120.506275)  # ties at the 5th decimal round alike
    for query in ("", "colour=red,none", "warnings=0&class=key"):
        wanted = filters.parse(QueryDict(query))
        text, count = selectors.map_rows_json(c["bureau"], wanted)
        assert json.loads(text) == selectors.map_rows(c["bureau"], wanted) and count == len(json.loads(text))
