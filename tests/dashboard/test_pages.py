"""Jurisdiction of every dashboard page, the site root, KPIs, the ranking and its CSV/Excel exports and
the outlet series against its limit."""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import clock
from dashboard.risk import township_risk
from dispatch.models import SelfCheckNotice
from dispatch.services import work_order_open
from ecocode.models import ColourChange, Score, ScoringRun
from enforcement.models import Inspection
from enterprises.models import Enterprise, Pollutant
from monitoring.models import Aggregate, Station
from tests import factories as f

from .helpers import NOW, county, open_alert

pytestmark = pytest.mark.django_db

PAGES = ["dashboard:map", "dashboard:risk", "dashboard:kpis", "dashboard:ranking", "dashboard:ranking-csv",
         "dashboard:ranking-xlsx", "dashboard:tracing", "dashboard:map-data"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login_and_enterprise_accounts_get_403(client, name):
    c = county()
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(c["ent_user"])
    assert client.get(url).status_code == 403
    client.force_login(c["officer_a"])
    assert client.get(url).status_code == 200


def test_site_root_leads_each_role_to_its_start_page(client):
    c = county()
    assert client.get("/")["Location"].startswith(reverse("login"))
    client.force_login(c["bureau"])
    assert client.get("/")["Location"] == reverse("dashboard:map")
    client.force_login(c["officer_a"])
    assert client.get("/")["Location"] == reverse("dashboard:map")
    client.force_login(c["ent_user"])
    assert client.get("/")["Location"] == reverse("ecocode:mine")


def test_outlet_endpoints_follow_jurisdiction(client):
    c = county()
    outlet = c["alert"].outlet
    client.force_login(c["officer_a"])
    assert client.get(reverse("dashboard:outlet-chart", args=[outlet.pk])).status_code == 200
    b_outlet = f.outlet(f.permit(c["b_blue"]))
    assert client.get(reverse("dashboard:outlet-chart", args=[b_outlet.pk])).status_code == 404
    assert client.get(reverse("dashboard:outlet-series", args=[b_outlet.pk]),
                      {"pollutant": "w01018"}).status_code == 404


def test_outlet_series_with_limit_line_and_daily_means(client):
    c = county()
    outlet = c["alert"].outlet
    cod = Pollutant.objects.get(code="w01018")
    start = NOW - dt.timedelta(hours=4)
    Aggregate.objects.bulk_create([
        Aggregate(outlet=outlet, pollutant=cod, period="hour", start=start + dt.timedelta(hours=i), count=4,
                  valid_count=n, sum=v * n, avg=v, min=v - 5, max=v + 5, updated_at=NOW)
        for i, (v, n) in enumerate([(80, 4), (120, 2), (90, 4)])])
    client.force_login(c["bureau"])
    url = reverse("dashboard:outlet-series", args=[outlet.pk])
    with clock.frozen(NOW):
        data = client.get(url, {"pollutant": "w01018", "period": "hour"}).json()
        assert data["limit"] == 100.0 and data["exceedances"] == 1
        assert [p[1] for p in data["points"]] == [80, 120, 90]
        day = client.get(url, {"pollutant": "w01018", "period": "day"}).json()
        assert day["points"][0][1] == pytest.approx((80 * 4 + 120 * 2 + 90 * 4) / 10)
        assert client.get(url, {"pollutant": "a34013"}).status_code == 400
        assert client.get(url, {"pollutant": "w01018", "period": "week"}).status_code == 400
        assert client.get(url, {"pollutant": "w01018", "start": "2026-03-10", "end": "2026-03-01"}).status_code == 400
        assert client.get(url, {"pollutant": "w01018", "period": "half_hour", "start": "2025-01-01"}).status_code == 400


def _scored(ent, colour, at):
    from ecocode.services.catalogue import current_version

    run = ScoringRun.objects.create(trigger="nightly", as_of=at, started_at=at, catalogue_version=current_version())
    score = Score.objects.create(run=run, enterprise=ent, catalogue_version=run.catalogue_version, computed_at=at,
                                 score=50, colour=colour)
    ColourChange.objects.create(enterprise=ent, from_colour="", to_colour=colour, score=score, changed_at=at)


def test_monthly_kpis(client):
    c = county()
    feb = NOW.replace(month=2, day=10)
    # A warning notified in February and acknowledged within the escalation window; another never answered.
    open_alert(c["a_green"], at=feb, last_notified_at=feb, acknowledged_at=feb + dt.timedelta(minutes=10),
               state="resolved", resolved_at=feb + dt.timedelta(hours=2))
    open_alert(c["b_orange"], at=feb, last_notified_at=feb, state="notified")
    with clock.frozen(feb):
        work_order_open(source="alert", title="超标", enterprise=c["b_orange"], source_ref="alert:x")
    _scored(c["a_green"], "green", feb)
    Enterprise.objects.filter(pk=c["b_orange"].pk).update(management_class="key")
    Enterprise.objects.filter(pk=c["a_green"].pk).update(management_class="simplified")
    for ent in (c["b_orange"], c["a_green"]):  # only the key enterprise's inspection counts
        Inspection.objects.create(enterprise=ent, mode="off_site", recorded_by=c["bureau"], started_at=feb,
                                  ended_at=feb, basis=["online_data"])
    _scored(c["b_orange"], "yellow", feb - dt.timedelta(days=40))
    _scored(c["b_orange"], "orange", feb)
    client.force_login(c["bureau"])
    with clock.frozen(NOW):
        months = {m["month"]: m for m in client.get(reverse("dashboard:kpis")).context["months"]}
    assert len(months) == 12
    m = months["2026-02"]
    assert (m["warnings_sent"], m["answered_in_time"], m["answered_rate"]) == (2, 1, 0.5)
    assert (m["enterprises_warned"], m["enterprises_fixed"]) == (2, 1)
    assert m["work_orders_opened"] == 1 and m["work_orders_overdue"] == 1 and m["remote_findings"] == 1
    assert (m["key_inspections"], m["off_site_share"]) == (1, 1.0)
    assert months["2026-01"]["off_site_share"] is None
    assert months["2026-01"]["colours"]["yellow"] == 1 and months["2026-01"]["colours"]["orange"] == 0
    assert m["colours"]["orange"] == 1 and m["colours"]["green"] == 1
    client.force_login(c["officer_a"])
    with clock.frozen(NOW):
        months = {m["month"]: m for m in client.get(reverse("dashboard:kpis")).context["months"]}
    assert months["2026-02"]["warnings_sent"] == 1 and months["2026-02"]["work_orders_opened"] == 0


def _ranking_fixture():
    c = county()
    for town, pm25 in ((c["a"], 20.0), (c["b"], 60.0)):
        station = Station.objects.create(code=f"S{town.pk}", name=f"{town.name}站", township=town,
                                         latitude=30.05, longitude=120.05)
        Aggregate.objects.create(station=station, pollutant=Pollutant.objects.get(code="a34004"), period="hour",
                                 start=NOW.replace(day=1, hour=5), count=2, valid_count=2, sum=pm25 * 2, avg=pm25,
                                 min=pm25, max=pm25, updated_at=NOW)
    return c


def test_ranking_by_air_quality_and_exports(client):
    c = _ranking_fixture()
    client.force_login(c["bureau"])
    with clock.frozen(NOW):
        rows = client.get(reverse("dashboard:ranking"), {"month": "2026-03", "by": "pm25"}).context["rows"]
        assert [(r["name"], r["rank"], r["pm25"]) for r in rows] == [("甲镇", 1, 20.0), ("乙镇", 2, 60.0)]
        by_risk = client.get(reverse("dashboard:ranking"), {"month": "2026-03"}).context["rows"]
        assert [r["rank"] for r in by_risk] == [1, 2]
        assert by_risk[0]["risk_index"] <= by_risk[1]["risk_index"]  # lower risk ranks first
        response = client.get(reverse("dashboard:ranking-csv"), {"month": "2026-03", "by": "pm25"})
        assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(table) == 3 and table[1][:2] == ["1", "甲镇"] and table[1][3] == "20.0"
        response = client.get(reverse("dashboard:ranking-xlsx"), {"month": "2026-03", "by": "pm25"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        assert len(values) == 3 and values[1][:2] == (1, "甲镇") and values[2][3] == 60.0
        assert client.get(reverse("dashboard:ranking"), {"month": "March"}).status_code == 404
        assert client.get(reverse("dashboard:ranking"), {"by": "nonsense"}).status_code == 404


def test_ranking_of_a_township_officer_has_only_his_township(client):
    c = _ranking_fixture()
    client.force_login(c["officer_a"])
    with clock.frozen(NOW):
        response = client.get(reverse("dashboard:ranking-csv"), {"month": "2026-03", "by": "pm25"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in table[1:]] == ["甲镇"]


def test_self_check_rate_in_kpis(client):
    from dispatch.services.checklists import checklist_build

    c = county()
    perm = c["a_green"].permits.first() or f.permit(c["a_green"])
    checklist = checklist_build(permit=perm)
    feb = NOW.replace(month=2, day=3)
    SelfCheckNotice.objects.create(enterprise=c["a_green"], checklist=checklist, batch="b1", issued_at=feb,
                                   due_at=feb + dt.timedelta(days=7), completed_at=feb + dt.timedelta(days=2))
    SelfCheckNotice.objects.create(enterprise=c["a_green"], checklist=checklist, batch="b2", issued_at=feb,
                                   due_at=feb + dt.timedelta(days=7))
    client.force_login(c["bureau"])
    with clock.frozen(NOW):
        months = {m["month"]: m for m in client.get(reverse("dashboard:kpis")).context["months"]}
    assert months["2026-02"]["self_check_rate"] == 0.5
    assert (months["2026-02"]["self_checks_issued"], months["2026-02"]["self_checks_completed"]) == (2, 1)


def test_ranking_of_a_past_month_uses_that_months_risk_and_warnings(client):
    c = county()  # now: township A has the red enterprise and its open warning of 10 March
    feb = NOW.replace(month=2, day=5)
    open_alert(c["b_blue"], at=feb, state="resolved", resolved_at=NOW.replace(day=2))  # open all February
    _scored(c["a_green"], "red", feb)  # red in February, green again on 3 March
    ColourChange.objects.create(enterprise=c["a_green"], from_colour="red", to_colour="green",
                                score=Score.objects.get(enterprise=c["a_green"]), changed_at=NOW.replace(day=3))
    client.force_login(c["bureau"])
    with clock.frozen(NOW):
        march = {r["name"]: r for r in client.get(reverse("dashboard:ranking"), {"month": "2026-03"}).context["rows"]}
        february = {r["name"]: r for r in client.get(reverse("dashboard:ranking"),
                                                     {"month": "2026-02"}).context["rows"]}
    assert (march["甲镇"]["open_warnings"], march["乙镇"]["open_warnings"]) == (1, 0)
    assert (march["甲镇"]["orange_red_share"], march["乙镇"]["orange_red_share"]) == (round(1 / 3, 4), 0.5)
    assert (february["甲镇"]["open_warnings"], february["乙镇"]["open_warnings"]) == (0, 1)
    assert (february["甲镇"]["orange_red_share"], february["乙镇"]["orange_red_share"]) == (round(1 / 3, 4), 0.0)
    then, today = (township_risk(enterprises=2, orange_red=0, open_warnings=1, overdue_orders=0),
                   township_risk(enterprises=2, orange_red=1, open_warnings=0, overdue_orders=0))
    assert (february["乙镇"]["risk_index"], march["乙镇"]["risk_index"]) == (then.index, today.index)
    assert [r["name"] for r in sorted(february.values(), key=lambda r: r["rank"])] == ["乙镇", "甲镇"]  # B was safer


def test_outlet_chart_default_period_includes_today_in_local_time(client):
    c = county()
    outlet = c["alert"].outlet
    cod = Pollutant.objects.get(code="w01018")
    now = timezone.make_aware(dt.datetime(2026, 3, 10, 1, 30))  # 01:30 in Asia/Shanghai, still 9 March in UTC
    today = now.replace(hour=0, minute=0)
    Aggregate.objects.bulk_create([
        Aggregate(outlet=outlet, pollutant=cod, period="hour", start=start, count=4, valid_count=4, sum=4 * v, avg=v,
                  min=v, max=v, updated_at=now)
        for start, v in ((today - dt.timedelta(days=7), 70.0), (today - dt.timedelta(hours=1), 80.0),
                         (today, 90.25), (today + dt.timedelta(hours=1), 95.0))])
    client.force_login(c["bureau"])
    with clock.frozen(now):
        page = client.get(reverse("dashboard:outlet-chart", args=[outlet.pk]))
        form = {"pollutant": page.context["pollutant"], "start": page.context["start"], "end": page.context["end"],
                "period": page.context["period"]}
        assert form["end"] == "2026-03-10"  # the form's "to" is today, local
        data = client.get(page.context["series_url"], form).json()
    assert [p[0][:16] for p in data["points"]] == ["2026-03-09T23:00", "2026-03-10T00:00", "2026-03-10T01:00"]
    assert [p[1] for p in data["points"]] == [80.0, 90.2, 95.0]  # COD (N5.1) at one decimal
