"""Celery tasks of ``enforcement`` (beat): every 5 minutes, inspection rounds filed elsewhere become
inspections and targeted inspections are planned; every night, the positive list's review and proposals."""
from celery import shared_task

from core import clock

from . import services


@shared_task
def collect_targeted_inspections() -> dict:
    return {"adopted": services.inspections_adopt_rounds(),
            "targeted": services.targeted_inspections_collect(now=clock.now())}


@shared_task
def review_positive_list() -> dict:
    now = clock.now()
    return {"removed": services.positive_list_review(now=now), "proposed": len(services.positive_list_propose(now=now))}
