"""Celery tasks of monitoring: thin wrappers over the services."""
from celery import shared_task

from .services import partitions


@shared_task(name="monitoring.tasks.create_reading_partitions", ignore_result=True)
def create_reading_partitions() -> None:
    """Beat, daily: the reading table's partitions from yesterday to a week ahead (PostgreSQL)."""
    partitions.create_ahead()
