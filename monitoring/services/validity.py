"""Keeping a device's invalid periods (``InvalidPeriod``) and the aggregates they change.

The app that keeps the records behind the periods (enforcement's operator records) states, in its own
transaction, which periods its records make for a device (``invalid_periods_set``, or for many devices at
once ``invalid_periods_set_many``); monitoring stores them
and counts again, set-based, every window whose validity changed: readings already stored when a fault is
recorded late stop counting as valid, those after a passed test count again. Readings that arrive later are
judged as they are stored (``monitoring.validity.valid_sql`` in ingestion).

Raw SQL, and only here in this service: the count of a device's windows again is one ``INSERT … SELECT …
ON CONFLICT DO UPDATE`` over the readings of its outlet (or station) in whole local days, bounded by
``observed_at`` so PostgreSQL reads only those days' partitions; the ORM cannot write the windowed best-kind
choice and the upsert in one statement. The embedded (SQLite) mode counts the same in Python. Windows whose
raw readings have expired (``RETENTION_DAYS["readings"]``) keep their aggregates as they are. The spans
counted again are announced (``monitoring.signals.windows_recounted``), so the violations judged on the
old counts can be judged again (alerts).
"""
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from core import clock
from core.db import advisory_lock, is_postgres

from .. import hj212
from ..models import Aggregate, Device, InvalidPeriod, Reading
from ..signals import windows_recounted
from ..validity import valid_sql, void_checker
from . import aggregate_backlog, ingest


@dataclass(frozen=True)
class Period:
    """One invalid period as its source states it: the record that opened it, why, from when, until when
    (None: still open)."""

    source_id: int
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None


def invalid_periods_set(*, device: Device, source: str, periods: Sequence[Period],
                        now: dt.datetime | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
    """Make ``periods`` the invalid periods of ``device`` from the records of ``source`` (others of that source
    go) and count again the windows whose validity changed; returns the spans of time counted again."""
    return invalid_periods_set_many(source=source, periods={device: periods}, now=now)[device.pk]


@transaction.atomic
def invalid_periods_set_many(*, source: str, periods: dict[Device, Sequence[Period]],
                             now: dt.datetime | None = None) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """``invalid_periods_set`` for many devices at once (their records filed together): the periods of all
    read, deleted, created and updated in a few statements, the windows counted again only for the devices
    whose periods changed. Returns the spans counted again, by device id."""
    now = now or clock.now()
    devices = {device.pk: device for device in periods}
    # One writer of a device's periods at a time; not a row lock on the device, which ingestion updates after
    # its aggregates (the reverse of the order here). Taken in the order of the ids, so two batches never
    # wait for each other crosswise.
    for pk in sorted(devices):
        advisory_lock(f"monitoring.invalid_periods:{pk}")
    old: dict[int, dict[int, InvalidPeriod]] = defaultdict(dict)
    for row in InvalidPeriod.objects.filter(device__in=list(devices), source=source):
        old[row.device_id][row.source_id] = row
    before = {pk: [(p.starts_at, p.ends_at) for p in rows.values()] for pk, rows in old.items()}
    gone, fresh, changed = [], [], []
    for device, specs in periods.items():
        mine, wanted = old[device.pk], {p.source_id: p for p in specs}
        gone += [row.pk for key, row in mine.items() if key not in wanted]
        for key, spec in wanted.items():
            fields = {"reason": spec.reason, "starts_at": spec.starts_at, "ends_at": spec.ends_at}
            row = mine.get(key)
            if row is None:
                fresh.append(InvalidPeriod(device=device, source=source, source_id=key, updated_at=now, **fields))
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.updated_at = now
                changed.append(row)
    InvalidPeriod.objects.filter(pk__in=gone).delete()
    InvalidPeriod.objects.bulk_create(fresh)
    InvalidPeriod.objects.bulk_update(changed, ["reason", "starts_at", "ends_at", "updated_at"])
    horizon = now + ingest.MAX_FUTURE  # no reading is stored beyond it
    counted_by_device = {}
    for device, specs in periods.items():
        spans = changed_spans([(start, end or horizon) for start, end in before.get(device.pk, [])],
                              [(p.starts_at, p.ends_at or horizon) for p in specs])
        counted = counted_by_device[device.pk] = _whole_days(spans, now)
        if counted:
            aggregates_recount(device=device, spans=counted, now=now)
            windows_recounted.send(sender=Device, device=device, spans=counted, now=now)
    return counted_by_device


def changed_spans(before: Sequence[tuple[dt.datetime, dt.datetime]], after: Sequence[tuple[dt.datetime, dt.datetime]]
                  ) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans of time covered by one set of intervals and not by the other, merged, oldest first."""
    cuts = sorted({moment for interval in (*before, *after) for moment in interval})

    def covered(intervals, moment):
        return any(start <= moment < end for start, end in intervals)

    out: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in zip(cuts, cuts[1:]):
        if covered(before, start) != covered(after, start):
            if out and out[-1][1] == start:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


def _whole_days(spans, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans widened to whole local days (a day window holds every half-hour and hour of it), merged,
    and cut where the raw readings have expired."""
    tz = hj212.DEFAULT_TZ
    kept = dt.datetime.combine(now.astimezone(tz).date() - dt.timedelta(days=settings.RETENTION_DAYS["readings"] - 1),
                               dt.time(), tzinfo=tz)
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in spans:
        since = max(dt.datetime.combine(start.astimezone(tz).date(), dt.time(), tzinfo=tz), kept)
        last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        if since >= until:
            continue
        if out and out[-1][1] >= since:
            out[-1] = (out[-1][0], max(out[-1][1], until))
        else:
            out.append((since, until))
    return out


_RECOUNT_SQL = f"""
WITH dropped AS (  -- the backlog's readings of these windows are counted here, from the readings themselves
    DELETE FROM monitoring_aggregate_backlog b WHERE b.{{owner}}_id = %(owner)s AND ({{backlog_spans}})
), buckets AS (
    SELECT r.pollutant_id, r.value, r.kind, k.rank, p.period, {valid_sql("r")} AS valid,
           r.pollutant_id = %(direction_id)s AS direction,
           CASE p.period WHEN 'hour' THEN date_trunc('hour', r.observed_at)
                WHEN 'day' THEN date_trunc('day', r.observed_at, '{ingest.LOCAL_TZ}')
                ELSE date_bin('30 minutes', r.observed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') END AS start
    FROM monitoring_reading r
    JOIN (VALUES {", ".join(f"('{k}', {n})" for k, n in ingest.KIND_RANK.items())}) AS k(kind, rank) ON k.kind = r.kind
    JOIN (VALUES {", ".join(f"('{p}', {n})" for p, n in ingest.PERIOD_TOP_KIND.items())}) AS p(period, top)
        ON k.rank <= p.top
    WHERE r.{{owner}}_id = %(owner)s AND ({{spans}})
), best AS (  -- each window from the best kind sent for it, as ingestion builds it
    SELECT * FROM (SELECT b.*, max(b.rank) OVER (PARTITION BY b.pollutant_id, b.period, b.start) AS best_rank
                   FROM buckets b) ranked
    WHERE rank = best_rank
)
INSERT INTO monitoring_aggregate (outlet_id, station_id, pollutant_id, period, start, kind, count, valid_count, sum,
                                  sum_sin, sum_cos, avg, min, max, updated_at)
SELECT {{outlet}}, {{station}}, pollutant_id, period, start, kind, count(*), count(*) FILTER (WHERE valid),
       coalesce(sum(value) FILTER (WHERE valid), 0),
       sum(sin(radians(value))) FILTER (WHERE valid AND direction),
       sum(cos(radians(value))) FILTER (WHERE valid AND direction),
       CASE WHEN bool_or(direction) THEN mod(degrees(atan2(sum(sin(radians(value))) FILTER (WHERE valid),
                                                           sum(cos(radians(value))) FILTER (WHERE valid)))::numeric
                                             + 360, 360)::float8
            ELSE avg(value) FILTER (WHERE valid) END,
       min(value) FILTER (WHERE valid), max(value) FILTER (WHERE valid), %(now)s
FROM best
GROUP BY pollutant_id, period, start, kind
ORDER BY pollutant_id, period, start  -- the lock order of ingestion's upsert
ON CONFLICT ({{owner}}_id, pollutant_id, period, start) WHERE {{owner}}_id IS NOT NULL DO UPDATE SET
    kind = EXCLUDED.kind, count = EXCLUDED.count, valid_count = EXCLUDED.valid_count, sum = EXCLUDED.sum,
    sum_sin = EXCLUDED.sum_sin, sum_cos = EXCLUDED.sum_cos, avg = EXCLUDED.avg, min = EXCLUDED.min,
    max = EXCLUDED.max, updated_at = EXCLUDED.updated_at
"""


def recount_sql(owner: str, spans: int) -> str:
    """The recount of an outlet's (``owner``) or station's windows over ``spans`` time ranges (parameters
    ``since_<n>``, ``until_<n>``): one statement, so its locks are taken in ingestion's order."""
    def within(alias: str) -> str:
        return " OR ".join(f"({alias}.observed_at >= %(since_{n})s AND {alias}.observed_at < %(until_{n})s)"
                           for n in range(spans))

    return _RECOUNT_SQL.format(owner=owner, outlet="%(owner)s" if owner == "outlet" else "NULL::bigint",
                               station="%(owner)s" if owner == "station" else "NULL::bigint",
                               spans=within("r"), backlog_spans=within("b"))


def aggregates_recount(*, device: Device, spans: Sequence[tuple[dt.datetime, dt.datetime]], now: dt.datetime) -> None:
    """Count again every half-hour, hour and day window in ``spans`` (whole local days) of the device's outlet
    or station from its stored readings, valid by ``valid_sql``; stamped ``now``, so the reports' roll-up
    counts those days again. The aggregate backlog's readings of those windows leave it here, under the
    backlog's lock: the recount has counted them, no fold counts them again."""
    owner, owner_id = ("outlet", device.outlet_id) if device.outlet_id else ("station", device.station_id)
    if not is_postgres():
        for since, until in spans:
            _recount_rowwise(owner, owner_id, since, until, now)
        return
    advisory_lock(aggregate_backlog.LOCK)
    params = {"owner": owner_id, "now": now, "direction_id": ingest.codebook().ids.get(ingest.WIND_DIRECTION, 0)}
    for n, (since, until) in enumerate(spans):
        params[f"since_{n}"], params[f"until_{n}"] = since, until
    with connection.cursor() as cur:
        cur.execute(recount_sql(owner, len(spans)), params)


def _recount_rowwise(owner: str, owner_id: int, since: dt.datetime, until: dt.datetime, now: dt.datetime) -> None:
    """The embedded (SQLite) counterpart of ``_RECOUNT_SQL``."""
    rows = list(Reading.objects.filter(**{f"{owner}_id": owner_id}, observed_at__gte=since, observed_at__lt=until,
                                       kind__in=list(ingest.KIND_RANK))
                .values_list("device_id", "pollutant_id", "kind", "observed_at", "value", "flag"))
    void = void_checker({row[0] for row in rows}, since, until)
    windows: dict[tuple, list] = defaultdict(list)
    for device_id, pollutant_id, kind, observed_at, value, flag in rows:
        valid = flag == "N" and value is not None and not void(device_id, pollutant_id, observed_at)
        for period, start in ingest.window_starts(observed_at, kind).items():
            windows[(pollutant_id, period, start)].append((kind, value, valid))
    direction_id = ingest.codebook().ids.get(ingest.WIND_DIRECTION)
    for (pollutant_id, period, start), items in windows.items():
        best = max(ingest.KIND_RANK[kind] for kind, _, _ in items)
        items = [item for item in items if ingest.KIND_RANK[item[0]] == best]
        valid = [value for _, value, ok in items if ok]
        sines = [math.sin(math.radians(v)) for v in valid] if pollutant_id == direction_id else []
        cosines = [math.cos(math.radians(v)) for v in valid] if pollutant_id == direction_id else []
        avg = (math.degrees(math.atan2(sum(sines), sum(cosines))) % 360 if sines else
               sum(valid) / len(valid) if valid else None)
        Aggregate.objects.update_or_create(
            **{f"{owner}_id": owner_id}, pollutant_id=pollutant_id, period=period, start=start,
            defaults={"kind": items[0][0], "count": len(items), "valid_count": len(valid), "sum": sum(valid),
                      "sum_sin": sum(sines) if sines else None, "sum_cos": sum(cosines) if cosines else None,
                      "avg": avg, "min": min(valid, default=None), "max": max(valid, default=None),
                      "updated_at": now})
