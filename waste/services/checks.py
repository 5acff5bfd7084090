"""The six transfer checks as a few set-based queries over all shipments in scope.

``detect(now, cfg, manifest_ids)`` returns every condition that holds at ``now`` as ``Finding``s keyed
by ``(manifest_id, rule)``:

* trajectory missing — no position at all, or a gap longer than ``gap_minutes`` between departure and
  arrival (or now, while on the road): the start → first point and last point → end gaps count too;
* route deviation — a position farther than ``corridor_km`` from the straight line producer → receiver,
  or a stop (positions slower than ``stop_speed_kmh``) longer than ``stop_minutes`` that is neither at
  the producer nor at the receiver (``site_radius_km``);
* quantity mismatch — the received quantity differs from the shipped one by more than the tolerance;
* receiver not permitted — the facility held no permit for the category on the departure day;
* overdue arrival — not arrived, or arrived, later than the planned arrival plus the grace;
* refused — the receiver refused the load.

The trajectory checks are one SQL statement with window functions (LAG for gaps, a running sum for the
islands of slow positions, a distance to the segment per position) over the positions of every
shipment's vehicle inside its own time window: this is how positions are linked to manifests. The
embedded SQLite lacks what that statement uses (arrays, DISTINCT ON, the math functions), so there
``trajectory_rows_portable`` computes the same rows in one ordered pass over one query of positions.
"""
import bisect
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import DecimalField as DecimalF
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Abs, TruncDate

from core.db import is_postgres
from enterprises.models import Enterprise

from ..models import Facility, GpsPoint, Manifest, ManifestState, ReceiverPermit, WasteRule

S = ManifestState
ON_THE_WAY_OR_AFTER = (S.DEPARTED, S.ARRIVED, S.RECEIVED, S.REFUSED, S.CLOSED)

Key = tuple[int, str]


@dataclass(frozen=True)
class Finding:
    manifest_id: int
    enterprise_id: int
    rule: str
    evidence: dict = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.manifest_id, self.rule)


TRAJECTORY_SQL = """
WITH m AS (
    SELECT w.id, w.vehicle_id, w.departed_at AS s, LEAST(COALESCE(w.arrived_at, %(now)s), %(now)s) AS e,
           ent.latitude AS ay, ent.longitude AS ax, f.latitude AS by_, f.longitude AS bx_,
           111.32 * cos(radians(ent.latitude)) AS kx
    FROM {manifest} w JOIN {enterprise} ent ON ent.id = w.producer_id JOIN {facility} f ON f.id = w.receiver_id
    WHERE w.id = ANY(%(ids)s) AND w.departed_at IS NOT NULL AND w.departed_at <= %(now)s
), p AS (
    SELECT m.id, g.at, g.latitude, g.longitude, g.speed,
           LAG(g.at) OVER w AS prev_at,
           SUM(CASE WHEN g.speed >= %(slow)s THEN 1 ELSE 0 END) OVER w AS moving_run,
           (g.longitude - m.ax) * m.kx AS px, (g.latitude - m.ay) * 110.57 AS py,
           (m.bx_ - m.ax) * m.kx AS bx, (m.by_ - m.ay) * 110.57 AS "by", m.kx, m.ax, m.ay, m.bx_, m.by_
    FROM m JOIN {point} g ON g.vehicle_id = m.vehicle_id AND g.at >= m.s AND g.at <= m.e
    WINDOW w AS (PARTITION BY m.id ORDER BY g.at)
), off AS (
    SELECT p.*, GREATEST(0.0, LEAST(1.0, COALESCE((px * bx + py * "by") / NULLIF(bx * bx + "by" * "by", 0),
                                                  0.0))) AS t
    FROM p
), farthest AS (
    SELECT DISTINCT ON (id) id, at, latitude, longitude,
           sqrt(power(px - t * bx, 2) + power(py - t * "by", 2)) AS km
    FROM off ORDER BY id, sqrt(power(px - t * bx, 2) + power(py - t * "by", 2)) DESC
), gaps AS (
    SELECT id, prev_at AS gs, at AS ge FROM p WHERE prev_at IS NOT NULL
    UNION ALL SELECT m.id, m.s, min(p.at) FROM m JOIN p ON p.id = m.id GROUP BY m.id, m.s
    UNION ALL SELECT m.id, max(p.at), m.e FROM m JOIN p ON p.id = m.id GROUP BY m.id, m.e
), longest AS (
    SELECT DISTINCT ON (id) id, gs, ge FROM gaps ORDER BY id, ge - gs DESC
), stops AS (
    SELECT id, moving_run, min(at) AS ss, max(at) AS se, avg(latitude) AS lat, avg(longitude) AS lon,
           max(kx) AS kx, max(ax) AS ax, max(ay) AS ay, max(bx_) AS bx, max(by_) AS by_
    FROM p WHERE speed < %(slow)s GROUP BY id, moving_run
), away AS (
    SELECT DISTINCT ON (id) id, ss, se, lat, lon FROM stops
    WHERE se - ss >= %(stop)s
      AND sqrt(power((lon - ax) * kx, 2) + power((lat - ay) * 110.57, 2)) > %(site)s
      AND sqrt(power((lon - bx) * kx, 2) + power((lat - by_) * 110.57, 2)) > %(site)s
    ORDER BY id, se - ss DESC
), counts AS (
    SELECT id, count(*) AS n FROM p GROUP BY id
)
SELECT m.id, m.s, m.e, COALESCE(c.n, 0), l.gs, l.ge, fa.at, fa.latitude, fa.longitude, fa.km,
       a.ss, a.se, a.lat, a.lon
FROM m LEFT JOIN counts c ON c.id = m.id LEFT JOIN longest l ON l.id = m.id
       LEFT JOIN farthest fa ON fa.id = m.id LEFT JOIN away a ON a.id = m.id
"""


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def trajectory_rows_sql(now: datetime, cfg, manifest_ids: list[int]) -> list[tuple]:
    """The per-shipment rows of ``TRAJECTORY_SQL`` (PostgreSQL)."""
    sql = TRAJECTORY_SQL.format(manifest=Manifest._meta.db_table, enterprise=Enterprise._meta.db_table,
                                facility=Facility._meta.db_table, point=GpsPoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "ids": list(manifest_ids), "slow": float(cfg.stop_speed_kmh),
                             "stop": timedelta(minutes=cfg.stop_minutes), "site": float(cfg.site_radius_km)})
        return cursor.fetchall()


def _km(lat, lon, ay, ax, kx) -> tuple[float, float]:
    """A position in km east and north of (ay, ax), on the same flat projection as the SQL."""
    return (lon - ax) * kx, (lat - ay) * 110.57


def _shipment_row(now: datetime, cfg, m: dict, points: list[tuple]) -> tuple:
    """One shipment's row of ``TRAJECTORY_SQL`` from its positions (at, lat, lon, speed), ordered by time."""
    start, end = m["departed_at"], min(m["arrived_at"] or now, now)
    ay, ax, by_, bx_ = m["ay"], m["ax"], m["by"], m["bx"]
    kx = 111.32 * math.cos(math.radians(ay))
    bx, by = _km(by_, bx_, ay, ax, kx)
    slow, stop, site = float(cfg.stop_speed_kmh), timedelta(minutes=cfg.stop_minutes), float(cfg.site_radius_km)
    if not points:
        return (m["id"], start, end, 0, None, None, None, None, None, None, None, None, None, None)
    longest, farthest, away = (start, points[0][0]), None, None
    stops: list[list] = []
    prev_at, run, in_stop = None, 0, None
    for at, lat, lon, speed in points:
        if prev_at is not None and at - prev_at > longest[1] - longest[0]:
            longest = (prev_at, at)
        prev_at = at
        px, py = _km(lat, lon, ay, ax, kx)
        length = bx * bx + by * by
        t = max(0.0, min(1.0, (px * bx + py * by) / length if length else 0.0))
        km = math.hypot(px - t * bx, py - t * by)
        if farthest is None or km > farthest[3]:
            farthest = (at, lat, lon, km)
        if speed is not None and speed >= slow:
            run, in_stop = run + 1, None
        elif speed is not None:
            if in_stop is None or in_stop[0] != run:
                in_stop = [run, at, at, 0.0, 0.0, 0]
                stops.append(in_stop)
            in_stop[2] = at
            in_stop[3], in_stop[4], in_stop[5] = in_stop[3] + lat, in_stop[4] + lon, in_stop[5] + 1
    if end - points[-1][0] > longest[1] - longest[0]:
        longest = (points[-1][0], end)
    for _run, ss, se, lat_sum, lon_sum, n in stops:
        lat, lon = lat_sum / n, lon_sum / n
        if (se - ss >= stop and math.hypot(*_km(lat, lon, ay, ax, kx)) > site
                and math.hypot(*_km(lat, lon, by_, bx_, kx)) > site
                and (away is None or se - ss > away[1] - away[0])):
            away = (ss, se, lat, lon)
    return (m["id"], start, end, len(points), *longest, *farthest, *(away or (None,) * 4))


def trajectory_rows_portable(now: datetime, cfg, manifest_ids: list[int]) -> list[tuple]:
    """The rows of ``TRAJECTORY_SQL`` on any database: the shipments, then the positions of their
    vehicles over the span of their windows in one query ordered by vehicle and time, cut per shipment."""
    shipments = list(Manifest.objects.filter(pk__in=manifest_ids, departed_at__isnull=False, departed_at__lte=now)
                     .values("id", "vehicle_id", "departed_at", "arrived_at", ay=F("producer__latitude"),
                             ax=F("producer__longitude"), by=F("receiver__latitude"), bx=F("receiver__longitude")))
    if not shipments:
        return []
    ends = [min(m["arrived_at"] or now, now) for m in shipments]
    track: dict[int, list[tuple]] = {}
    for vehicle_id, *point in (GpsPoint.objects.filter(vehicle_id__in={m["vehicle_id"] for m in shipments},
                                                       at__gte=min(m["departed_at"] for m in shipments),
                                                       at__lte=max(ends))
                               .order_by("vehicle_id", "at")
                               .values_list("vehicle_id", "at", "latitude", "longitude", "speed").iterator()):
        track.setdefault(vehicle_id, []).append(tuple(point))
    times = {vehicle_id: [p[0] for p in points] for vehicle_id, points in track.items()}
    rows = []
    for m, end in zip(shipments, ends):
        points, at = track.get(m["vehicle_id"], []), times.get(m["vehicle_id"], [])
        inside = points[bisect.bisect_left(at, m["departed_at"]):bisect.bisect_right(at, end)]
        rows.append(_shipment_row(now, cfg, m, inside))
    return rows


def trajectory_findings(now: datetime, cfg, manifest_ids: list[int], producers: dict[int, int]) -> list[Finding]:
    """Missing-trajectory and route-deviation findings of the given shipments: one statement on
    PostgreSQL, the portable pass elsewhere (the same rows)."""
    if not manifest_ids:
        return []
    rows = (trajectory_rows_sql if is_postgres() else trajectory_rows_portable)(now, cfg, manifest_ids)
    return findings_of(rows, cfg, producers)


def findings_of(rows: list[tuple], cfg, producers: dict[int, int]) -> list[Finding]:
    """The missing-trajectory and route-deviation findings of the per-shipment rows."""
    findings = []
    gap, corridor = cfg.gap, float(cfg.corridor_km)
    for (mid, start, end, n, gap_start, gap_end, far_at, far_lat, far_lon, far_km,
         stop_start, stop_end, stop_lat, stop_lon) in rows:
        enterprise_id = producers[mid]
        window = {"from": _iso(start), "to": _iso(end), "points": n, "gap_minutes": cfg.gap_minutes}
        if n == 0 and end - start > gap:
            findings.append(Finding(mid, enterprise_id, WasteRule.TRAJECTORY_MISSING,
                                    {**window, "gap_from": _iso(start), "gap_to": _iso(end),
                                     "longest_gap_minutes": round((end - start).total_seconds() / 60)}))
        elif n and gap_end - gap_start > gap:
            findings.append(Finding(mid, enterprise_id, WasteRule.TRAJECTORY_MISSING,
                                    {**window, "gap_from": _iso(gap_start), "gap_to": _iso(gap_end),
                                     "longest_gap_minutes": round((gap_end - gap_start).total_seconds() / 60)}))
        deviation = {}
        if far_km is not None and far_km > corridor:
            deviation["farthest"] = {"at": _iso(far_at), "lat": far_lat, "lon": far_lon, "km": round(far_km, 2),
                                     "corridor_km": corridor}
        if stop_start is not None:
            deviation["stop"] = {"from": _iso(stop_start), "to": _iso(stop_end), "lat": stop_lat, "lon": stop_lon,
                                 "minutes": round((stop_end - stop_start).total_seconds() / 60)}
        if deviation:
            findings.append(Finding(mid, enterprise_id, WasteRule.ROUTE_DEVIATION, deviation))
    return findings


def state_findings(now: datetime, cfg, scope) -> list[Finding]:
    """The four checks on the manifests' own fields, one query each."""
    findings = []
    tolerance = cfg.quantity_tolerance
    diff = ExpressionWrapper(Abs(F("received_quantity") - F("quantity")), output_field=DecimalF())
    for mid, ent, quantity, received, unit in (
            scope.filter(received_quantity__isnull=False, state__in=(S.RECEIVED, S.CLOSED))
            .annotate(diff=diff).filter(diff__gt=F("quantity") * tolerance)
            .values_list("pk", "producer_id", "quantity", "received_quantity", "unit")):
        findings.append(Finding(mid, ent, WasteRule.QUANTITY_MISMATCH,
                                {"shipped": str(quantity), "received": str(received), "unit": unit,
                                 "tolerance": str(tolerance)}))
    permitted = ReceiverPermit.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=OuterRef("day")), facility=OuterRef("receiver_id"),
        category=OuterRef("category_id"), valid_from__lte=OuterRef("day"), valid_until__gte=OuterRef("day"))
    for mid, ent, day in (scope.filter(departed_at__isnull=False).annotate(day=TruncDate("departed_at"))
                          .filter(~Exists(permitted)).values_list("pk", "producer_id", "day")):
        findings.append(Finding(mid, ent, WasteRule.RECEIVER_NOT_PERMITTED, {"departed_on": day.isoformat()}))
    grace = timedelta(minutes=cfg.arrival_grace_minutes)
    late = (Q(arrived_at__isnull=True, state=S.DEPARTED, planned_arrival__lt=now - grace)
            | Q(arrived_at__isnull=False, arrived_at__gt=F("planned_arrival") + grace))
    for mid, ent, planned, arrived in scope.filter(late).values_list("pk", "producer_id", "planned_arrival",
                                                                      "arrived_at"):
        late_by = (arrived or now) - planned
        findings.append(Finding(mid, ent, WasteRule.OVERDUE_ARRIVAL,
                                {"planned_arrival": _iso(planned), "arrived_at": _iso(arrived),
                                 "late_minutes": round(late_by.total_seconds() / 60)}))
    for mid, ent, reason in (scope.filter(Q(state=S.REFUSED) | Q(state=S.CLOSED, refusal_reason__gt=""))
                             .values_list("pk", "producer_id", "refusal_reason")):
        findings.append(Finding(mid, ent, WasteRule.REFUSED, {"reason": reason}))
    return findings


def scope_ids(now: datetime, cfg, also: set[int]) -> dict[int, int]:
    """{manifest id: producer id} of the shipments to check: on the road, or departed within the
    look-back, plus those with an open warning (``also``)."""
    since = now - timedelta(days=cfg.lookback_days)
    return dict(Manifest.objects.filter(Q(state__in=(S.DEPARTED, S.ARRIVED)) | Q(departed_at__gte=since)
                                        | Q(pk__in=also))
                .filter(state__in=ON_THE_WAY_OR_AFTER, departed_at__lte=now).values_list("pk", "producer_id"))


def detect(now: datetime, cfg, producers: dict[int, int]) -> dict[Key, Finding]:
    """All findings of the shipments ``producers`` ({manifest id: producer id}) at ``now``."""
    ids = list(producers)
    scope = Manifest.objects.filter(pk__in=ids)
    findings = [*trajectory_findings(now, cfg, ids, producers), *state_findings(now, cfg, scope)]
    return {f.key: f for f in findings}
