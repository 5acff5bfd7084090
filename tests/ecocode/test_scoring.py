"""The engine end to end: the catalogue, colours at the thresholds' edges, caps, stored explanations,
colour changes recorded and notified, catalogue versions, the nightly task."""
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

pytestmark = pytest.mark.django_db
BANDS = [{"colour": c, "min_score": s} for c, s in
         (("green", "95"), ("blue", "85"), ("yellow", "75"), ("orange", "60"), ("red", "0"))]


def test_catalogue_has_102_valid_indicators_in_three_groups():
    assert Indicator.objects.count() == 102
    assert Counter(Indicator.objects.values_list("group", flat=True)) == {
        "reports": 20, "self_monitoring": 33, "management": 49}
    for ind in Indicator.objects.all():
        check_params(ind.rule, ind.params)  # raises on an unknown rule or bad parameter
    assert CatalogueVersion.objects.get().number == 1


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
    f.permit(ent)
    _penalise(ent, 1)
    score = scoring.score_enterprise(ent)
    # M33 "penalised for excess emission" costs 8 points and caps the colour at orange; M42 "penalised in
    # the last three years" costs 0.5 per decision.
    assert score.score == Decimal("91.50")
    assert score.colour == "orange"
    assert [(e["code"], e["points"]) for e in score.explanation] == [("M33", 8.0), ("M42", 0.5)]
    assert score.explanation[0]["evidence"] == {"n": 1, "fact": 1}
    assert score.group_points == {"management": 8.5}
    assert score.catalogue_version.number == 1
    code = EcoCode.objects.get(enterprise=ent)
    assert (code.colour, code.score, code.latest) == ("orange", Decimal("91.50"), score)


def test_colour_change_is_recorded_and_notified(now):
    ent = f.enterprise()
    f.permit(ent)
    scoring.score_all()
    assert EcoCode.objects.get(enterprise=ent).colour == "green"
    first = ColourChange.objects.get(enterprise=ent)
    assert (first.from_colour, first.to_colour) == ("", "green")
    assert not Notification.objects.filter(kind="ecocode.colour").exists()  # a first colour is not news

    scoring.score_all()                                                       # unchanged: nothing new
    assert ColourChange.objects.filter(enterprise=ent).count() == 1

    _penalise(ent, 1, reason="no_permit")                                     # 10 points and capped at red
    run = scoring.score_all()
    change = ColourChange.objects.filter(enterprise=ent).first()
    assert (change.from_colour, change.to_colour, run.colour_changes) == ("green", "red", 1)
    note = Notification.objects.get(kind="ecocode.colour", enterprise=ent)
    assert "绿码" in note.subject and "红码" in note.subject
    assert note.dedup_key == f"ecocode:colour:{change.score_id}"
    assert note.deliveries.filter(channel="email", address=ent.contact_email).exists()


def test_every_catalogue_change_is_a_new_version(now):
    bureau = f.bureau_user()
    ind = Indicator.objects.get(code="M33")
    ind.weight = Decimal("12")
    ind.save()
    v2 = catalogue.current_version(user=bureau, note="M33 weight")
    assert (v2.number, v2.created_by, v2.note) == (2, bureau, "M33 weight")
    assert catalogue.diff(CatalogueVersion.objects.get(number=1), v2) == ["M33.weight: '8.00' → '12.00'"]
    assert catalogue.current_version() == v2                                  # unchanged: same version
    ent = f.enterprise()
    f.permit(ent)
    _penalise(ent, 1)
    score = scoring.score_enterprise(ent)
    assert (score.catalogue_version, score.score) == (v2, Decimal("87.50"))


def test_nightly_task_scores_every_enterprise_not_closed(now):
    live = [f.enterprise() for _ in range(3)]
    closed = f.enterprise(status="closed")
    tasks.score_all()
    scored = set(Score.objects.values_list("enterprise_id", flat=True))
    assert scored == {e.pk for e in live}
    assert closed.pk not in scored
