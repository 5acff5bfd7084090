"""Every deduction names its records, one fact is charged once, a score rebuilds from its catalogue
version and its records, no data is grey (not green), report-versus-monitoring consistency is computed
from the devices' -Cou, and a rule without a data source is reported by the run."""
import datetime as dt
from decimal import Decimal

import pytest

from alerts.models import Alert, Exceedance
from dispatch.models import Complaint
from ecocode.models import ReportedEmission, ScoringRun
from ecocode.services import rebuild, scoring
from enterprises.models import Pollutant
from monitoring.hj212 import ParsedReading
from monitoring.models import Aggregate, Device
from monitoring.services.ingest import Unit, store
from tests import factories as f

from .conftest import NOW
from .helpers import on_time_report, report

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
EXCEEDANCE = ("S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13", "S14",
              "S15", "S16", "M06")


def _entries(score):
    return {e["code"]: e for e in score.explanation}


def test_each_deduction_names_its_records(plant):
    ent, out, cod, alert, complaint = plant
    score = scoring.score_enterprise(ent)
    entries = _entries(score)
    episode = f"{out.pk}:{cod.pk}:2026-06-15"
    spike = Exceedance.objects.get(value=250)                                       # the hour at 2.5× the limit
    (s15,) = entries["S15"]["records"]
    assert (s15["type"], s15["id"], s15["ep"]) == ("exceedance", str(spike.pk), f"exceedance:{episode}")
    assert dt.datetime.fromisoformat(s15["at"]) == spike.start
    (m01,) = entries["M01"]["records"]                                               # not answering: a fact of its own
    assert (m01["type"], m01["id"], m01["ep"]) == ("warning", str(alert.pk), f"warning:{alert.pk}")
    assert dt.datetime.fromisoformat(m01["at"]) == alert.opened_at
    assert [(r["type"], r["id"]) for r in entries["M30"]["records"]] == [("complaint", str(complaint.pk))]
    assert {code for code, e in entries.items() if e["points"] > 0} == {"S15", "M01", "M30"}
    assert (score.score, score.colour) == (Decimal("94.00"), "orange")               # S15 caps at orange


def test_one_exceedance_episode_is_charged_once(plant):
    ent, out, cod, alert, _ = plant
    entries = _entries(scoring.score_enterprise(ent))
    charged = {code: e["points"] for code, e in entries.items() if code in EXCEEDANCE and e["points"] > 0}
    assert charged == {"S15": 5.0}                                # the most precise indicator charges it
    assert entries["S01"]["points"] == 0 and entries["S01"]["already_charged"][0]["by"] == "S15"
    assert [(r["type"], r["id"], r["by"]) for r in entries["S13"]["already_charged"]] == [
        ("warning", str(alert.pk), "S15")]                        # the warning of the same exceedance


def test_a_score_rebuilds_from_its_catalogue_version_and_records(plant):
    ent, *_ = plant
    score = scoring.score_enterprise(ent)
    assert rebuild.differences(score) == []
    value, colour, points = rebuild.rebuild(score)
    assert (value, colour, points["S15"]) == (score.score, score.colour, 5.0)
    tampered = score.explanation
    tampered[0]["records"] = tampered[0]["records"] * 0           # a deduction stripped of its records
    score.explanation = tampered
    assert any(d.startswith(f"{tampered[0]['code']}:") for d in rebuild.differences(score))


def test_no_data_is_insufficient_not_green(now):
    idle = f.enterprise()
    f.permit(idle)                                                # registered, never reported, never inspected
    active = f.enterprise()
    on_time_report(f.permit(active))
    run = scoring.score_all()
    assert (idle.eco_code.__class__.objects.get(enterprise=idle).colour, run.insufficient) == ("grey", 1)
    assert active.eco_scores.get().colour == "green"
    assert idle.eco_scores.get().get_colour_display() == "数据不足，无法评分"


def test_a_proven_deduction_stands_without_enough_data(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    perm.status = "suspended"
    perm.save()
    score = scoring.score_enterprise(ent)                         # no conduct data, but M45 is proven
    assert score.colour == "orange"


def test_online_data_too_thin_to_score_is_insufficient(plant):
    ent, out, *_ = plant
    Aggregate.objects.all().delete()
    Exceedance.objects.all().delete()
    Aggregate.objects.create(outlet=out, pollutant_id=out.limits.get().pollutant_id, period="hour",
                             start=NOW - 200 * H, count=60, valid_count=60, sum=3000, avg=50, updated_at=NOW)
    Alert.objects.all().delete()
    Complaint.objects.all().delete()
    assert scoring.score_enterprise(ent).colour == "grey"          # 1 of ~200 hours since its first packet


def _day_readings(device, pollutant, days, kg_per_day):
    unit = Unit(device=device, readings=[
        (pollutant.pk, ParsedReading(code=pollutant.code, kind="day", observed_at=day, avg=50.0, cou=kg_per_day))
        for day in days])
    store([unit], [], now=NOW)


def test_report_versus_monitoring_consistency_flags_a_mismatch(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    out = f.outlet(perm, "DW001", "water", {"w01018": 100})
    cod = Pollutant.objects.get(code="w01018")
    device = Device.objects.create(mn="MN-COU-1", outlet=out, last_seen_at=NOW)
    start = dt.datetime(2026, 1, 1, tzinfo=NOW.tzinfo)
    _day_readings(device, cod, [start + dt.timedelta(days=d) for d in range(90)], 10.0)   # Q1: 900 kg measured
    q1 = report(perm, "quarterly", dt.date(2026, 1, 1), dt.date(2026, 4, 15), dt.date(2026, 4, 10))
    q1.period_end = dt.date(2026, 3, 31)
    q1.save()
    ReportedEmission.objects.create(report=q1, pollutant=cod, amount_kg=Decimal("500"))  # declared 500 kg
    entries = _entries(scoring.score_enterprise(ent))
    assert entries["R14"]["points"] == 1.0
    assert entries["R14"]["records"] == [{"type": "report", "id": str(q1.pk), "at": "2026-04-15",
                                          "ep": f"report:{q1.pk}"}]
    ReportedEmission.objects.filter(report=q1).update(amount_kg=Decimal("950"))            # within 20 %
    assert "R14" not in _entries(scoring.score_enterprise(ent))


def test_a_missing_data_source_is_reported_by_the_run(now):
    for _ in range(3):
        on_time_report(f.permit(f.enterprise()))
    run = scoring.score_all()
    unavailable = {u["rule"]: u for u in run.unavailable_rules}
    assert "penalties.count" not in unavailable                  # the case register exists: no case, no penalty
    assert unavailable["reports.inconsistent"]["enterprises"] == 3
    assert "reports.inconsistent" in unavailable                 # no report declares its emissions
    assert "online.completeness" in unavailable                  # no online data at all in the window
    assert ScoringRun.objects.get().unavailable_rules == run.unavailable_rules
