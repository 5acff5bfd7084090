"""Celery tasks of the eco-code: thin wrappers over ``ecocode.services.scoring``."""
from celery import shared_task

from enterprises.models import Enterprise

from .services import rollup, scoring


@shared_task(ignore_result=True)
def score_all() -> int:
    return scoring.score_all().pk


@shared_task(ignore_result=True)
def score_enterprise(enterprise_id: int) -> None:
    scoring.score_enterprise(Enterprise.objects.get(pk=enterprise_id))


@shared_task(name="ecocode.tasks.roll_up_scores", ignore_result=True)
def roll_up_scores() -> int:
    """Beat, daily: intermediate scores past ``RETENTION_DAYS["scores"]`` (``services.rollup``)."""
    return rollup.scores_roll_up()
