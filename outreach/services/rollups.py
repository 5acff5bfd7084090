"""Keeping the reports' daily roll-up of valid hours (``ValidHoursDay``) up to date.

``valid_hours_refresh`` counts again every day whose daily aggregate has no roll-up row yet or changed
since it was counted (ingestion stamps a day's aggregate with every reading of the day), from that day's
hourly aggregates, in one ``INSERT … SELECT … ON CONFLICT`` statement. The county summary calls it for its
period before reading (usually only today has changed); beat runs it nightly over everything, so the first
summary of a long period does not have to count the past.

Raw SQL, and only here: the count joins each daily aggregate to the hourly ones of its day and writes the
result in the same statement, which the ORM cannot express; the statement is the same on PostgreSQL and
SQLite but for the end of the day. On PostgreSQL the changed days are set apart first; when they are many
(the first build of a year: 2.7 million days of 10,250 enterprises), their hours are counted in one grouped
scan of the hours they span and joined by day, instead of one index range per day (``GROUPED_FROM_DAYS``).
"""
import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from core.db import advisory_lock, is_postgres
from monitoring.models import Aggregate

from ..models import ValidHoursDay

# SQLite (the embedded default): the changed days first, then the hours of just those days.
REFRESH_SQL = """
WITH changed AS (
    SELECT d.id, d.outlet_id, d.pollutant_id, d.start, d.updated_at
    FROM {aggregate} d LEFT JOIN {rollup} r ON r.day_id = d.id
    WHERE d.period = 'day' AND d.outlet_id IS NOT NULL AND (r.day_id IS NULL OR r.counted_from <> d.updated_at)
      {bounds}
)
INSERT INTO {rollup} (day_id, outlet_id, pollutant_id, start, valid_hours, counted_from)
SELECT c.id, c.outlet_id, c.pollutant_id, c.start, COALESCE(SUM(CASE WHEN h.valid_count > 0 THEN 1 ELSE 0 END), 0),
       c.updated_at
FROM changed c
LEFT JOIN {aggregate} h ON h.outlet_id = c.outlet_id AND h.pollutant_id = c.pollutant_id AND h.period = 'hour'
                       AND h.start >= c.start AND h.start < datetime(c.start, '+1 day')
WHERE true  -- SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT
GROUP BY c.id, c.outlet_id, c.pollutant_id, c.start, c.updated_at
ORDER BY c.id
ON CONFLICT (day_id) DO UPDATE SET valid_hours = EXCLUDED.valid_hours, counted_from = EXCLUDED.counted_from
"""
# PostgreSQL: the changed days on their own, then their hours counted by one of the two statements below.
CHANGED_SQL = """
CREATE TEMPORARY TABLE outreach_changed_days ON COMMIT DROP AS
SELECT d.id, d.outlet_id, d.pollutant_id, d.start, d.updated_at
FROM {aggregate} d LEFT JOIN {rollup} r ON r.day_id = d.id
WHERE d.period = 'day' AND d.outlet_id IS NOT NULL AND (r.day_id IS NULL OR r.counted_from <> d.updated_at)
  {bounds}
"""
UPSERT = """
ON CONFLICT (day_id) DO UPDATE SET valid_hours = EXCLUDED.valid_hours, counted_from = EXCLUDED.counted_from
"""
# Few days (a day of the platform's zone, Asia/Shanghai, is 24 hours long): each day's hours by the index on (outlet, pollutant, period, start).
BY_DAY_SQL = """
INSERT INTO {rollup} (day_id, outlet_id, pollutant_id, start, valid_hours, counted_from)
SELECT c.id, c.outlet_id, c.pollutant_id, c.start, COALESCE(SUM(CASE WHEN h.valid_count > 0 THEN 1 ELSE 0 END), 0),
       c.updated_at
FROM outreach_changed_days c
LEFT JOIN {aggregate} h ON h.outlet_id = c.outlet_id AND h.pollutant_id = c.pollutant_id AND h.period = 'hour'
                       AND h.start >= c.start AND h.start < c.start + INTERVAL '1 day'
GROUP BY c.id, c.outlet_id, c.pollutant_id, c.start, c.updated_at
""" + UPSERT
# Many days: the hours of the span they cover, grouped by the local day they fall in, joined on it.
GROUPED_SQL = """
WITH span AS (SELECT min(start) AS lo, max(start) + INTERVAL '1 day' AS hi FROM outreach_changed_days),
hours AS (
    SELECT h.outlet_id, h.pollutant_id, date_trunc('day', h.start, %s) AS day,
           count(*) FILTER (WHERE h.valid_count > 0) AS valid_hours
    FROM {aggregate} h, span
    WHERE h.period = 'hour' AND h.outlet_id IS NOT NULL AND h.start >= span.lo AND h.start < span.hi
    GROUP BY 1, 2, 3
)
INSERT INTO {rollup} (day_id, outlet_id, pollutant_id, start, valid_hours, counted_from)
SELECT c.id, c.outlet_id, c.pollutant_id, c.start, COALESCE(h.valid_hours, 0), c.updated_at
FROM outreach_changed_days c
LEFT JOIN hours h ON h.outlet_id = c.outlet_id AND h.pollutant_id = c.pollutant_id AND h.day = c.start
""" + UPSERT
# From how many changed days one grouped scan beats an index range per day (a week of a 10,250 county).
GROUPED_FROM_DAYS = 50_000


def valid_hours_refresh(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                        outlets=None) -> int:
    """Count again the changed or new days starting in [since, until) (all days without bounds) of
    ``outlets`` (a queryset of outlet pks; all outlets without it); returns how many days were counted."""
    bounds, params = [], []
    if since is not None:
        bounds.append("AND d.start >= %s")
        params.append(connection.ops.adapt_datetimefield_value(since))
    if until is not None:
        bounds.append("AND d.start < %s")
        params.append(connection.ops.adapt_datetimefield_value(until))
    if outlets is not None:
        select, outlet_params = outlets.order_by().query.get_compiler(connection=connection).as_sql()
        bounds.append(f"AND d.outlet_id IN ({select})")
        params.extend(outlet_params)
    tables = {"rollup": ValidHoursDay._meta.db_table, "aggregate": Aggregate._meta.db_table}
    with transaction.atomic(), connection.cursor() as cursor:
        advisory_lock("outreach.valid_hours")  # two refreshes of the same days one after the other
        if not is_postgres():
            cursor.execute(REFRESH_SQL.format(**tables, bounds=" ".join(bounds)), params)
            return cursor.rowcount
        cursor.execute(CHANGED_SQL.format(**tables, bounds=" ".join(bounds)), params)
        changed = cursor.rowcount
        if changed >= GROUPED_FROM_DAYS:
            cursor.execute(GROUPED_SQL.format(**tables), [settings.TIME_ZONE])
        elif changed:
            cursor.execute(BY_DAY_SQL.format(**tables))
        cursor.execute("DROP TABLE outreach_changed_days")
        return changed
