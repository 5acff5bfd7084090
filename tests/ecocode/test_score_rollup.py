"""The scores' roll-up (beat, daily): past ``RETENTION_DAYS["scores"]`` only each enterprise's final score of
each local month and the scores other rows name stay; intermediate runs' scores go, newer ones all stay."""
import datetime as dt

from django.test import override_settings

from config.celery import app
from core import clock
from ecocode.models import ColourChange, EcoCode, Objection, Score
from ecocode.services import scoring
from ecocode.tasks import roll_up_scores
from tests import factories as f

from .conftest import NOW


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return NOW.replace(month=month, day=day, hour=hour, minute=minute)


# Nightly runs at these local times; NOW is 2026-06-15 and the policy 30 days: the cutoff is 16 May 10:00.
RUNS = [at(3, 10), at(3, 20), at(3, 31, 23, 30), at(4, 1, 0, 30), at(4, 15), at(5, 10), at(5, 20), at(6, 14)]


def test_old_intermediate_scores_roll_up_to_month_finals_and_named_scores(db):
    firms = [f.enterprise(), f.enterprise()]
    for moment in RUNS:
        with clock.frozen(moment):
            scoring.score_all(as_of=moment)
    assert Score.objects.count() == len(RUNS) * len(firms)
    named = Score.objects.get(enterprise=firms[1], computed_at=at(4, 1, 0, 30))
    Objection.objects.create(enterprise=firms[1], score=named, indicator_code="D01", reasons="数据有误",
                             submitted_at=at(4, 2), review_due_at=at(4, 20))
    first_colour = set(ColourChange.objects.values_list("score__computed_at", flat=True))
    with override_settings(RETENTION_DAYS={"scores": 30}), clock.frozen(NOW):
        removed = roll_up_scores.apply().get()
    # Months are local: 00:30 on 1 April (16:30 UTC on 31 March) is April's, 23:30 on 31 March is March's final.
    month_finals = {at(3, 31, 23, 30), at(4, 15)}
    within_policy = {at(5, 20), at(6, 14)}
    assert at(3, 10) in first_colour  # the first colour names the first score: kept although intermediate
    for firm in firms:
        left = set(Score.objects.filter(enterprise=firm).values_list("computed_at", flat=True))
        expected = month_finals | within_policy | first_colour | ({at(4, 1, 0, 30)} if firm == firms[1] else set())
        assert left == expected, firm
        assert EcoCode.objects.get(enterprise=firm).latest.computed_at == at(6, 14)
    assert removed == len(RUNS) * len(firms) - Score.objects.count() > 0
    with override_settings(RETENTION_DAYS={"scores": 30}), clock.frozen(NOW):
        assert roll_up_scores.apply().get() == 0
    assert app.conf.beat_schedule["roll-up-scores"]["task"] == roll_up_scores.name
