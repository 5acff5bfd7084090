"""Celery tasks of ``enforcement`` (beat): targeted inspections every 5 minutes, the positive list's
proposals and review every night."""
from celery import shared_task

from core import clock

from . import services


@shared_task
def collect_targeted_inspections() -> int:
    return services.targeted_inspections_collect(now=clock.now())


@shared_task
def review_positive_list() -> dict:
    now = clock.now()
    return {"removed": services.positive_list_review(now=now), "proposed": len(services.positive_list_propose(now=now))}
