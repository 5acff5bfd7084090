"""Celery tasks of monitoring: thin wrappers over the services."""
from celery import shared_task

from .services import aggregate_backlog, aggregate_partitions, partitions, rejections, retention


@shared_task(name="monitoring.tasks.create_reading_partitions", ignore_result=True)
def create_reading_partitions() -> None:
    """Beat, daily: the reading table's partitions from yesterday to a week ahead, the aggregate table's of
    this span and the next (PostgreSQL)."""
    partitions.create_ahead()
    aggregate_partitions.create_ahead()


@shared_task(name="monitoring.tasks.purge_rejections", ignore_result=True)
def purge_rejections() -> int:
    """Beat, daily: drop rejected-packet logs past their retention."""
    return rejections.rejections_purge()


@shared_task(name="monitoring.tasks.expire_time_series", ignore_result=True)
def expire_time_series() -> dict:
    """Beat, daily: raw readings, aggregates and device messages past their retention
    (``settings.RETENTION_DAYS``)."""
    return {"reading_days": [d.isoformat() for d in retention.readings_expire()],
            "aggregates": retention.aggregates_expire(), "device_messages": retention.device_messages_expire()}


@shared_task(name="monitoring.tasks.fold_aggregate_backlog", ignore_result=True)
def fold_aggregate_backlog() -> int | None:
    """Beat, every minute: count what is left in the aggregate backlog into its windows (a server folds its
    own every few seconds; this catches what a server that died left). Skipped while another fold runs."""
    return aggregate_backlog.backlog_fold(wait=False)
