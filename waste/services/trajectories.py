"""Storing vehicle positions exactly once, from the REST bulk upload and the JT/T 808 receiver.

``check_point`` is the one validation of a position (coordinates in range and inside China, a real
fix, not in the future, plausible speed and direction) and returns the reason of a rejection.
``gps_points_store`` writes a batch in one ``INSERT .. SELECT FROM unnest(..) ON CONFLICT (vehicle, time)
DO NOTHING``: a resent batch or report stores nothing twice and is counted as duplicates.
``gps_points_upload`` is the bulk upload: all rows valid or nothing stored, like readings.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import connection, transaction

from core import clock
from monitoring.hj212 import ProtocolError
from monitoring.services.ingest import parse_row_time

from ..models import GpsPoint, Vehicle

MAX_FUTURE = dt.timedelta(minutes=5)  # terminal clocks drift a little; further ahead is refused
MAX_AGE = dt.timedelta(days=366)
MAX_SPEED_KMH = 200.0
CHINA = (3.8, 53.6, 73.4, 135.1)  # latitude min/max, longitude min/max of the mainland, islands included
ROW_FIELDS = {"plate", "at", "latitude", "longitude", "speed", "direction", "altitude"}


class PointError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Point:
    vehicle_id: int
    at: dt.datetime
    latitude: float
    longitude: float
    speed: float = 0.0
    direction: int = 0
    altitude: int = 0
    alarm_flags: int = 0
    status_flags: int = 0


@dataclass
class RowError:
    row: int
    reason: str
    detail: str


@dataclass
class UploadResult:
    received: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.received - self.stored if not self.errors else 0


def check_point(*, latitude: float, longitude: float, at: dt.datetime, now: dt.datetime, speed: float = 0.0,
                direction: int = 0) -> tuple[str, str]:
    """("", "") for a good position, else (reason, detail)."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return "bad_coordinates", "latitude and longitude must be finite numbers"
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return "bad_coordinates", f"({latitude}, {longitude}) is outside latitude ±90° / longitude ±180°"
    if latitude == 0 and longitude == 0:
        return "no_fix", "(0, 0) is a terminal without a GPS fix"
    lat_min, lat_max, lon_min, lon_max = CHINA
    if not (lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max):
        return "outside_china", f"({latitude}, {longitude}) lies outside China"
    if at > now + MAX_FUTURE:
        return "future_time", f"{at.isoformat()} is in the future (now {now.isoformat(timespec='seconds')})"
    if at < now - MAX_AGE:
        return "too_old", f"{at.isoformat()} is more than a year old"
    if not (math.isfinite(speed) and 0 <= speed <= MAX_SPEED_KMH):
        return "bad_speed", f"speed {speed} km/h is outside 0–{MAX_SPEED_KMH:g}"
    if not 0 <= direction <= 359:
        return "bad_direction", f"direction {direction}° is outside 0–359"
    return "", ""


def gps_points_store(points: list[Point], *, source: str) -> int:
    """Insert the points that are new; returns how many were stored (the rest were already there)."""
    if not points:
        return 0
    now = clock.now()
    columns = list(zip(*[(p.vehicle_id, p.at, p.latitude, p.longitude, p.speed, p.direction, p.altitude,
                          p.alarm_flags, p.status_flags) for p in points]))
    table = GpsPoint._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (vehicle_id, at, latitude, longitude, speed, direction, altitude, alarm_flags, '
            f'status_flags, source, received_at) '
            f'SELECT v, t, la, lo, s, d, al, af, sf, %s, %s FROM unnest(%s::bigint[], %s::timestamptz[], '
            f'%s::float8[], %s::float8[], %s::float8[], %s::int[], %s::int[], %s::bigint[], %s::bigint[]) '
            f'AS u(v, t, la, lo, s, d, al, af, sf) ORDER BY v, t '
            f'ON CONFLICT (vehicle_id, at) DO NOTHING',
            [source, now, *[list(c) for c in columns]])
        stored = cursor.rowcount
        cursor.execute(
            f'UPDATE "{Vehicle._meta.db_table}" AS v SET last_seen_at = GREATEST(v.last_seen_at, u.last) '
            f'FROM (SELECT x AS id, max(y) AS last FROM unnest(%s::bigint[], %s::timestamptz[]) AS u(x, y) '
            f'GROUP BY x) AS u WHERE v.id = u.id',
            [list(columns[0]), list(columns[1])])
    return stored


def _number(row: dict, name: str, default=None) -> float:
    raw = row.get(name, default)
    if raw is None or isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise PointError("bad_field", f"{name} is required and must be a number")
    try:
        return float(raw)
    except ValueError:
        raise PointError("bad_field", f"{name}={str(raw)[:20]!r} is not a number") from None


def parse_row(row, vehicles: dict[str, Vehicle], may_post, now: dt.datetime) -> Point:
    """One uploaded row → a Point. Raises PointError with the reason."""
    if not isinstance(row, dict):
        raise PointError("bad_field", "a row must be an object")
    unknown = set(row) - ROW_FIELDS
    if unknown:
        raise PointError("bad_field", f"unknown fields: {', '.join(sorted(map(str, unknown)))[:100]}")
    plate = str(row.get("plate") or "").strip()
    vehicle = vehicles.get(plate)
    if vehicle is None:
        raise PointError("unknown_vehicle", f"no vehicle with plate {plate[:16]!r}")
    if not may_post(vehicle):
        raise PointError("forbidden", f"you may not send positions of {plate}")
    if not row.get("at"):
        raise PointError("bad_field", "at (the time of the position) is required")
    try:
        at = parse_row_time(row["at"], "at")
    except ProtocolError as exc:
        raise PointError(exc.reason, exc.detail) from None
    latitude, longitude = _number(row, "latitude"), _number(row, "longitude")
    speed, direction, altitude = _number(row, "speed", 0), _number(row, "direction", 0), _number(row, "altitude", 0)
    if direction != int(direction) or altitude != int(altitude):
        raise PointError("bad_field", "direction and altitude are whole numbers")
    reason, detail = check_point(latitude=latitude, longitude=longitude, at=at, now=now, speed=speed,
                                 direction=int(direction))
    if reason:
        raise PointError(reason, detail)
    return Point(vehicle.pk, at, latitude, longitude, speed, int(direction), int(altitude))


def gps_points_upload(rows: list, *, may_post) -> UploadResult:
    """Validate every row; store all of them (new ones only) or none."""
    now = clock.now()
    plates = {str(r.get("plate") or "").strip() for r in rows if isinstance(r, dict)}
    vehicles = {v.plate: v for v in Vehicle.objects.filter(plate__in=plates).select_related("carrier")}
    result = UploadResult(received=len(rows))
    points = []
    for number, row in enumerate(rows, start=1):
        try:
            points.append(parse_row(row, vehicles, may_post, now))
        except PointError as exc:
            result.errors.append(RowError(number, exc.reason, exc.detail))
    if not result.errors:
        result.stored = gps_points_store(points, source=GpsPoint.Source.API)
    return result
