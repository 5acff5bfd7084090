"""Roll-up of eco-code scores past ``settings.RETENTION_DAYS["scores"]`` (beat, daily).

Every nightly run writes one score per enterprise with its explanation: a county grows by millions of rows
a year. Past the policy only what is read later stays: each enterprise's final score of each local month
(its monthly history; the last one is also its latest score) and every score another row names (the
eco-code's current score, colour changes, objections and credit repairs, found from the model's relations,
so a new reference is kept too). Intermediate scores go in one ``DELETE``: the rows are chosen by the ORM
(a window function ranks each enterprise's scores within a month, on PostgreSQL and SQLite alike) and
deleted by id in SQL, because ``QuerySet.delete()`` would first load every doomed score, with its
explanation, into Python to look for the rows that point at it, and none do.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber, TruncMonth

from core import clock

from ..models import Score


def _month_end(moment: dt.datetime) -> dt.datetime:
    """The start of the local month after the one ``moment`` falls in."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + dt.timedelta(days=32)).replace(day=1)


def _month_finals(until: dt.datetime):
    """Ids of each enterprise's last score of each local month, among the scores computed before ``until``."""
    ranked = Score.objects.filter(computed_at__lt=until).annotate(rank=Window(
        RowNumber(), partition_by=[F("enterprise_id"), TruncMonth("computed_at", tzinfo=ZoneInfo(settings.TIME_ZONE))],
        order_by=[F("computed_at").desc(), F("id").desc()]))
    return ranked.filter(rank=1).values("pk")


def _intermediate(cutoff: dt.datetime):
    """The scores computed before ``cutoff`` that no month keeps as its final and no other row names."""
    doomed = Score.objects.filter(computed_at__lt=cutoff).exclude(pk__in=_month_finals(_month_end(cutoff)))
    relations = [f for f in Score._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in relations:
        named = relation.related_model._base_manager.filter(**{f"{relation.field.name}__isnull": False})
        doomed = doomed.exclude(pk__in=named.values(relation.field.name))
    return doomed.order_by()


def scores_roll_up(*, now: dt.datetime | None = None) -> int:
    """Delete the intermediate scores past the policy (one statement); returns how many were deleted."""
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.RETENTION_DAYS["scores"])
    sql, params = _intermediate(cutoff).values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Score._meta.db_table} WHERE id IN ({sql})", params)
        return cur.rowcount
