"""Keeping the reports' daily roll-up of valid hours (``ValidHoursDay``) up to date.

``valid_hours_refresh`` counts again every day whose daily aggregate has no roll-up row yet or changed
since it was counted (ingestion stamps a day's aggregate with every reading of the day), from that day's
hourly aggregates, in one ``INSERT … SELECT … ON CONFLICT`` statement. The county summary calls it for its
period before reading (usually only today has changed); beat runs it nightly over everything, so the first
summary of a long period does not have to count the past.

Raw SQL, and only here: the count joins each daily aggregate to the hourly ones of its day and writes the
result in the same statement, which the ORM cannot express; the statement is the same on PostgreSQL and
SQLite but for the end of the day.
"""
import datetime as dt

from django.db import connection, transaction

from core.db import advisory_lock, is_postgres
from monitoring.models import Aggregate

from ..models import ValidHoursDay

# The changed days first, on their own (PostgreSQL must not join a year of days to their hours and only then
# see which changed), then the hours of just those days.
REFRESH_SQL = """
WITH changed AS {materialized} (
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
                       AND h.start >= c.start AND h.start < {day_end}
WHERE true  -- SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT
GROUP BY c.id, c.outlet_id, c.pollutant_id, c.start, c.updated_at
ORDER BY c.id
ON CONFLICT (day_id) DO UPDATE SET valid_hours = EXCLUDED.valid_hours, counted_from = EXCLUDED.counted_from
"""
# A day of the platform's zone (Asia/Shanghai) is 24 hours long.
DAY_END = {True: "c.start + INTERVAL '1 day'", False: "datetime(c.start, '+1 day')"}


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
    postgres = is_postgres()
    sql = REFRESH_SQL.format(rollup=ValidHoursDay._meta.db_table, aggregate=Aggregate._meta.db_table,
                             materialized="MATERIALIZED" if postgres else "", day_end=DAY_END[postgres],
                             bounds=" ".join(bounds))
    with transaction.atomic(), connection.cursor() as cursor:
        advisory_lock("outreach.valid_hours")  # two refreshes of the same days one after the other
        cursor.execute(sql, params)
        return cursor.rowcount
