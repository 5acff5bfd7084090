"""Retention of the time series, run daily by beat (``settings.RETENTION_DAYS``).

Raw readings go by whole daily partitions (``DROP TABLE``: no row-by-row delete, no bloat, nothing
for autovacuum), and the rows of those days that sit in the default partition with a bounded
``DELETE``. Aggregates go by period, the finer ones first: the roll-up keeps the hourly and daily
figures longer than the half-hour ones and much longer than the raw values; on PostgreSQL by whole
partitions too (``aggregate_partitions``), the windows of a span partly past the policy by a bounded
``DELETE``. Device messages (start-ups,
running status, replies) go with the raw readings' retention of their own. Every statement is
bounded in time, so the planner prunes partitions. The same on SQLite, by rows.
"""
import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils.timezone import get_default_timezone

from core import clock
from core.db import advisory_lock, is_postgres

from ..models import Aggregate, DeviceMessage, Reading
from . import aggregate_partitions, partitions


def _cutoff_day(days: int, now: dt.datetime) -> dt.date:
    return now.astimezone(get_default_timezone()).date() - dt.timedelta(days=days)


def readings_expire(*, now: dt.datetime | None = None) -> list[dt.date]:
    """Drop the raw readings older than ``RETENTION_DAYS["readings"]`` days; returns the days dropped."""
    now = now or clock.now()
    day = _cutoff_day(settings.RETENTION_DAYS["readings"], now)
    cutoff = dt.datetime.combine(day, dt.time(), tzinfo=get_default_timezone())
    if not is_postgres():
        Reading.objects.filter(observed_at__lt=cutoff).delete()
        return []
    with transaction.atomic(), connection.cursor() as cur:
        advisory_lock("monitoring.partitions")  # the same lock as partition making
        old = sorted(d for d in partitions.existing_days() if d < day)
        for d in old:
            cur.execute(f'DROP TABLE "{partitions.partition_name(d)}"')
        cur.execute(f"DELETE FROM {partitions.DEFAULT} WHERE observed_at < %s", [cutoff])
    partitions.forget_known_days()
    return old


def aggregates_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the aggregates of each period past its retention; returns how many per period."""
    now = now or clock.now()
    removed = {}
    for period in Aggregate.Period.values:
        cutoff = now - dt.timedelta(days=settings.RETENTION_DAYS[f"aggregates_{period}"])
        if is_postgres():
            removed[period] = aggregate_partitions.expire(period, cutoff)
        else:
            removed[period] = Aggregate.objects.filter(period=period, start__lt=cutoff).delete()[0]
    return removed


def device_messages_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the device messages received more than ``RETENTION_DAYS["device_messages"]`` days ago."""
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.RETENTION_DAYS["device_messages"])
    return DeviceMessage.objects.filter(received_at__lt=cutoff).delete()[0]
