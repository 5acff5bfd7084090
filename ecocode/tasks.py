"""Celery tasks of the eco-code: thin wrappers over ``ecocode.services.scoring``."""
from celery import shared_task

from enterprises.models import Enterprise

from .services import scoring


@shared_task(ignore_result=True)
def score_all() -> int:
    return scoring.score_all().pk


@shared_task(ignore_result=True)
def score_enterprise(enterprise_id: int) -> None:
    scoring.score_enterprise(Enterprise.objects.get(pk=enterprise_id))
