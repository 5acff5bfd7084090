"""Celery tasks of waste: thin wrappers over the services."""
from celery import shared_task

from .services.alerts import transfers_check


@shared_task(ignore_result=False)
def check_transfers() -> dict:
    """Beat, every 5 minutes: the transfer checks for every shipment in scope."""
    return vars(transfers_check())
