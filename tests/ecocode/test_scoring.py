"""The engine end to end: the catalogue, colours at the thresholds' edges, caps, stored explanations,
colour changes recorded and notified, catalogue versions, the nightly task."""
import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from ecocode import tasks
from ecocode.models import CatalogueVersion, ColourBand, ColourChange, EcoCode, Indicator, Score
from ecocode.rules import check_params
from ecocode.services import catalogue, scoring
from ecocode.services.scoring import colour_for
from notifications.models import Notification
from tests import factories as f

from .helpers import missing_annual_report, on_time_report, report

pytestmark = pytest.mark.django_db
BANDS = [{"colour": c, "min_score": s} for c, s in
         (("green", "95"), ("blue", "85"), ("yellow", "75"), ("orange", "60"), ("red", "0"))]


def test_catalogue_has_105_valid_indicators_in_three_groups():
    # the reference county's 102, the operators' device records (S34, S35) and the waste manifests (M50)
    assert Indicator.objects.count() == 105
    assert Counter(Indicator.objects.values_list("group", flat=True)) == {
        "reports": 20, "self_monitoring": 35, "management": 50}
    for ind in Indicator.objects.all():
        check_params(ind.rule, ind.params)  # raises on an unknown rule or bad parameter
        assert ind.weight_source.startswith(("法规：", "局务会决定："))
    assert CatalogueVersion.objects.order_by("-number").first().snapshot == catalogue.snapshot()


@pytest.mark.parametrize("score, colour", [
    ("100", "green"), ("95", "green"), ("94.99", "blue"), ("85", "blue"), ("84.99", "yellow"), ("75", "yellow"),
    ("74.99", "orange"), ("60", "orange"), ("59.99", "red"), ("0", "red"),
])
def test_thresholds_at_the_edges(score, colour):
    assert colour_for(Decimal(score), BANDS) == colour


def test_a_veto_indicator_caps_the_colour():
    assert colour_for(Decimal("99"), BANDS, ["orange"]) == "orange"
    assert colour_for(Decimal("50"), BANDS, ["orange"]) == "red"


def test_bands_come_from_the_table():
    assert [(b.colour, b.min_score) for b in ColourBand.objects.all()] == [
        (c["colour"], Decimal(c["min_score"])) for c in BANDS]
    eligible = {b.colour: b.green_subsidy_eligible for b in ColourBand.objects.all()}
    assert eligible == {"green": True, "blue": True, "yellow": True, "orange": False, "red": False}
    assert list(ColourBand.objects.filter(warning_only=True).values_list("colour", flat=True)) == ["yellow"]


def _penalise(ent, n, reason="excess_emission", on=dt.date(2026, 6, 1)):
    return f.decided_case(ent, number=f"P-{ent.pk}-{n}", decided_on=on, amount=Decimal("10000"), reason=reason)


def test_score_keeps_its_explanation_and_catalogue_version(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    on_time_report(perm)
    missing = missing_annual_report(perm)
    score = scoring.score_enterprise(ent)
    # R17 "over 90 days and still missing" costs 4 points and caps the colour at yellow; R07 "annual report
    # missing" rests on the same report, so it records it as already charged and costs nothing.
    assert (score.score, score.colour) == (Decimal("96.00"), "yellow")
    assert [(e["code"], e["points"]) for e in score.explanation] == [("R17", 4.0), ("R07", 0.0)]
    r17, r07 = score.explanation
    assert r17["records"] == [{"type": "report", "id": str(missing.pk), "at": "2026-01-15", "ep": f"report:{missing.pk}"}]
    assert r07["records"] == [] and r07["already_charged"] == [dict(r17["records"][0], by="R17")]
    assert score.group_points == {"reports": 4.0}
    assert score.catalogue_version == CatalogueVersion.objects.order_by("-number").first()
    code = EcoCode.objects.get(enterprise=ent)
    assert (code.colour, code.score, code.latest) == ("yellow", Decimal("96.00"), score)


def test_colour_change_is_recorded_and_notified(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    on_time_report(perm)
    scoring.score_all()
    assert EcoCode.objects.get(enterprise=ent).colour == "green"
    first = ColourChange.objects.get(enterprise=ent)
    assert (first.from_colour, first.to_colour) == ("", "green")
    assert not Notification.objects.filter(kind="ecocode.colour").exists()  # a first colour is not news

    scoring.score_all()                                                       # unchanged: nothing new
    assert ColourChange.objects.filter(enterprise=ent).count() == 1

    missing_annual_report(perm)                                               # capped at yellow
    run = scoring.score_all()
    change = ColourChange.objects.filter(enterprise=ent).first()
    assert (change.from_colour, change.to_colour, run.colour_changes) == ("green", "yellow", 1)
    note = Notification.objects.get(kind="ecocode.colour", enterprise=ent)
    assert "绿码" in note.subject and "黄码" in note.subject
    assert "R17" in note.body and "异议" in note.body and "信用修复" in note.body
    assert note.url == f"/ecocode/enterprise/{ent.pk}/#deductions"
    assert f"/ecocode/enterprise/{ent.pk}/objections/new/" in note.body
    assert note.dedup_key == f"ecocode:colour:{change.score_id}"
    assert note.deliveries.filter(channel="email", address=ent.contact_email).exists()


def test_past_months_are_scored_from_the_records_of_their_windows(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    report(perm, "annual", dt.date(2024, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 20))  # conduct seven months ago
    on_time_report(perm)
    _penalise(ent, 1, on=dt.date(2026, 3, 1))  # M33 caps at orange from March on
    runs = scoring.score_past_months((1, 7))
    assert [(r.trigger, r.as_of) for r in runs] == [("history", now - dt.timedelta(days=210)),
                                                     ("history", now - dt.timedelta(days=30))]
    history = list(ColourChange.objects.filter(enterprise=ent).order_by("changed_at")
                   .values_list("from_colour", "to_colour", "changed_at"))
    assert history == [("", "green", now - dt.timedelta(days=210)), ("green", "orange", now - dt.timedelta(days=30))]
    assert "M33" in {e["code"] for e in Score.objects.get(run=runs[1], enterprise=ent).explanation}
    assert not Notification.objects.filter(kind="ecocode.colour").exists()  # the past is recorded, not announced
    scoring.score_all()
    assert EcoCode.objects.get(enterprise=ent).colour == "orange"
    with pytest.raises(ValueError):  # a history goes before the colours already recorded
        scoring.score_past_months((2,))


def test_a_run_stores_what_was_read_for_its_moment_unless_the_catalogue_changed(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    report(perm, "annual", dt.date(2024, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 20))
    on_time_report(perm)
    _penalise(ent, 1, on=dt.date(2026, 3, 1))
    read = scoring.evaluation_of(as_of=now)
    assert "M33" in {e["code"] for e in read.losses[ent.pk]}
    stored = scoring.run(trigger="nightly", as_of=now, evaluation=read)
    assert Score.objects.get(run=stored, enterprise=ent).explanation == read.losses[ent.pk]
    cleared = dataclasses.replace(read, losses={})  # what was read is what is stored, not read again
    assert Score.objects.get(run=scoring.run(trigger="nightly", as_of=now, evaluation=cleared), enterprise=ent).score == 100
    stale = dataclasses.replace(cleared, version_id=-1)  # read under another catalogue version: read again
    again = Score.objects.get(run=scoring.run(trigger="nightly", as_of=now, evaluation=stale), enterprise=ent)
    assert again.explanation == read.losses[ent.pk]


def test_every_catalogue_change_is_a_new_version(now):
    bureau = f.bureau_user()
    before = catalogue.current_version()
    ind = Indicator.objects.get(code="R17")
    ind.weight = Decimal("6")
    ind.save()
    new = catalogue.current_version(user=bureau, note="R17 weight")
    assert (new.number, new.created_by, new.note) == (before.number + 1, bureau, "R17 weight")
    assert catalogue.diff(before, new) == ["R17.weight: '4.00' → '6.00'"]
    assert catalogue.current_version() == new                                 # unchanged: same version
    ent = f.enterprise()
    perm = f.permit(ent)
    on_time_report(perm)
    missing_annual_report(perm)
    score = scoring.score_enterprise(ent)
    assert (score.catalogue_version, score.score) == (new, Decimal("94.00"))


def test_nightly_task_scores_every_enterprise_not_closed(now):
    live = [f.enterprise() for _ in range(3)]
    closed = f.enterprise(status="closed")
    tasks.score_all()
    scored = set(Score.objects.values_list("enterprise_id", flat=True))
    assert scored == {e.pk for e in live}
    assert closed.pk not in scored
