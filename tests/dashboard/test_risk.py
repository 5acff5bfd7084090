"""The township five-colour risk rule: the plain function and the risk map page on a hand-built county."""
import datetime as dt

import pytest

from core import clock
from dashboard.risk import colour_of, risk_index, township_risk
from dispatch.services import work_order_open

from .helpers import NOW, coloured, county, open_alert


def test_rule_weights_and_bands():
    assert risk_index(enterprises=0, orange_red=0, open_warnings=0, overdue_orders=0) == 0
    # 10 of 100 orange/red = 10 points, 4 warnings per 100 = 2 points, 3 overdue per 100 = 3 points.
    assert risk_index(enterprises=100, orange_red=10, open_warnings=4, overdue_orders=3) == pytest.approx(15.0)
    assert [colour_of(i) for i in (0, 4.99, 5, 9.99, 10, 19.99, 20, 29.99, 30, 300)] == \
        ["green", "green", "blue", "blue", "yellow", "yellow", "orange", "orange", "red", "red"]
    assert township_risk(enterprises=4, orange_red=1, open_warnings=0, overdue_orders=0).colour == "orange"  # 25
    assert township_risk(enterprises=50, orange_red=0, open_warnings=6, overdue_orders=0).colour == "blue"  # 6


@pytest.mark.django_db
def test_risk_map_colours_townships_of_a_hand_built_county(client):
    c = county()  # A: green, red (1 open warning), unscored; B: orange, blue
    # A third township: 10 green enterprises, one of them with an overdue work order.
    from tests import factories as f
    t3 = f.township("丙镇")
    greens = [coloured(t3, "green") for _ in range(10)]
    with clock.frozen(NOW - dt.timedelta(days=10)):
        work_order_open(source="manual", title="检查", enterprise=greens[0])
    open_alert(greens[1])
    client.force_login(c["bureau"])
    with clock.frozen(NOW):
        response = client.get("/dashboard/risk/")
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.context["rows"]}
    # A: 1/3 orange-red = 33.3 + 0.5*33.3 warnings = 50 → red.
    assert rows["甲镇"]["risk_index"] == pytest.approx(50.0, abs=0.01) and rows["甲镇"]["risk_colour"] == "red"
    # B: 1/2 orange-red = 50 → red.
    assert rows["乙镇"]["risk_colour"] == "red"
    # 丙: 0 + 0.5*10 (1 warning per 10) + 10 (1 overdue per 10) = 15 → yellow.
    assert rows["丙镇"]["overdue_orders"] == 1 and rows["丙镇"]["open_warnings"] == 1
    assert rows["丙镇"]["risk_index"] == pytest.approx(15.0) and rows["丙镇"]["risk_colour"] == "yellow"
    assert "0.5" in response.content.decode()  # the rule is shown on the page


@pytest.mark.django_db
def test_township_officer_risk_map_has_only_his_township(client):
    c = county()
    client.force_login(c["officer_a"])
    response = client.get("/dashboard/risk/")
    assert [r["name"] for r in response.context["rows"]] == ["甲镇"]
