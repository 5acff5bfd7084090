"""Ingestion: validate packets (HJ 212 frames or bulk-API rows) and store their readings exactly once.

A packet is all or nothing: it is refused as a whole (unknown MN, bad CRC, wrong password, bad number,
unknown pollutant, implausible time, …) with its reason logged in ``IngestRejection`` and counted on the
device, or all its readings are stored. A batch of packets is written in one transaction, set-based:

* readings: one ``INSERT .. SELECT FROM unnest(..) ON CONFLICT DO NOTHING RETURNING`` (a resend of the
  same device + pollutant + kind + DataTime stores nothing and is counted as a duplicate);
* aggregates: the half-hour and hourly buckets touched by the NEW real-time and minute readings are
  upserted in the same statement (count, valid count, sum, avg, min, max; valid = flag N);
* device counters: one UPDATE for all devices of the batch; rejections: one bulk INSERT.

On SQLite (embedded mode) the same happens in a few ORM statements per batch (``_insert_rowwise``).
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F

from core import clock
from core.db import is_postgres
from enterprises.models import Pollutant
from monitoring import hj212
from monitoring.hj212 import Frame, Packet, ParsedReading, ProtocolError
from monitoring.models import Device, IngestRejection
from monitoring.services import partitions

MAX_FUTURE = dt.timedelta(hours=1)  # device clocks drift; readings further ahead are refused
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
RAW_EXCERPT = 600
POLLUTANT_CACHE_SECONDS = 300
VALUE_FIELDS = ("value", "rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max")


@dataclass
class Outcome:
    """What happened to one frame: accepted (with the number of new readings) or refused with a reason."""

    accepted: bool
    packet: Packet | None = None
    reason: str = ""
    detail: str = ""
    readings: int = 0
    stored: int = 0

    def reply(self) -> bytes | None:
        """The acknowledgement to send back, if the packet asked for one (Flag A bit)."""
        if self.packet is None or not self.packet.wants_ack:
            return None
        if self.accepted:
            return hj212.data_ack(self.packet)
        return hj212.request_ack(self.packet, hj212.QNRTN_BY_REASON.get(self.reason, hj212.QNRTN_UNKNOWN))


@dataclass
class Unit:
    """The validated readings of one packet of one device, ready to store."""

    device: Device
    readings: list[tuple[int, ParsedReading]]  # (pollutant id, reading)
    outcome: Outcome | None = None


@dataclass
class Rejection:
    reason: str
    detail: str
    raw: bytes | str = b""
    mn: str = ""
    device: Device | None = None
    source: str = ""


@dataclass
class StoreResult:
    readings: int = 0
    stored: int = 0
    rejected: int = 0
    per_device: dict[int, int] = field(default_factory=dict)

    @property
    def duplicates(self) -> int:
        return self.readings - self.stored


# --- reference data -------------------------------------------------------------------------------

_pollutants: tuple[float, dict[str, int], dict[str, str]] | None = None


def pollutant_codes() -> tuple[dict[str, int], dict[str, str]]:
    """(2017 code → pollutant id, 2005 code → 2017 code), cached for a few minutes."""
    global _pollutants
    if _pollutants is None or time.monotonic() - _pollutants[0] > POLLUTANT_CACHE_SECONDS:
        rows = list(Pollutant.objects.values_list("id", "code", "code_2005"))
        _pollutants = (time.monotonic(), {code: pk for pk, code, _ in rows},
                       {old: code for _, code, old in rows if old})
    return _pollutants[1], _pollutants[2]


def forget_pollutants() -> None:
    """Drop the cached pollutant codes (after the reference rows were reloaded)."""
    global _pollutants
    _pollutants = None


def devices_by_mn(mns: Iterable[str]) -> dict[str, Device]:
    mns = {mn for mn in mns if "\x00" not in mn}  # no device has one, and PostgreSQL cannot take it as a parameter
    return {d.mn: d for d in Device.objects.select_related("outlet__enterprise").filter(mn__in=mns)} if mns else {}


# --- validation -----------------------------------------------------------------------------------

def check_device(device: Device | None, mn: str, password: str | None) -> None:
    if device is None:
        raise ProtocolError("unknown_mn", f"no device with MN {mn[:40]!r}")
    if not device.is_active:
        raise ProtocolError("inactive", f"device {mn} is deactivated")
    if device.password and password != device.password:
        raise ProtocolError("wrong_pw", f"wrong password for device {mn}")


def resolve_readings(readings: Sequence[ParsedReading], now: dt.datetime) -> list[tuple[int, ParsedReading]]:
    """Pollutant ids for parsed readings and a plausibility check of their times."""
    ids, _ = pollutant_codes()
    out = []
    for reading in readings:
        pollutant_id = ids.get(reading.code)
        if pollutant_id is None:
            raise ProtocolError("unknown_pollutant", f"unknown pollutant code {reading.code[:20]!r}")
        if reading.observed_at > now + MAX_FUTURE or reading.observed_at < EARLIEST:
            raise ProtocolError("bad_time", f"DataTime {reading.observed_at:%Y-%m-%d %H:%M:%S} is implausible")
        out.append((pollutant_id, reading))
    return out


def _validate_frame(frame: Frame, devices: dict[str, Device], packet: Packet | None, error: ProtocolError | None,
                    now: dt.datetime) -> list[tuple[int, ParsedReading]]:
    if error is not None:
        raise error
    device = devices.get(packet.mn)
    crc_ok = hj212.crc16(frame.data) == _crc_value(frame.crc)
    if not crc_ok:
        hj212.check_crc(frame.data, frame.crc, allow_swapped=bool(device and device.accept_swapped_crc))
    check_device(device, packet.mn, packet.pw)
    _, old_codes = pollutant_codes()
    return resolve_readings(hj212.readings(packet, old_codes), now)


def _crc_value(field_: bytes) -> int | None:
    try:
        return int(field_, 16) if len(field_) == 4 else None
    except ValueError:
        return None


def ingest_frames(items: Sequence[Frame | ProtocolError], *, source: str | Sequence[str] = "",
                  now: dt.datetime | None = None) -> list[Outcome]:
    """Validate and store a batch of frames (and log framing errors). Returns one Outcome per item,
    in order; every accepted packet's readings are committed when this returns. ``source`` (the peer)
    is one string for all items or one per item."""
    now = now or clock.now()
    sources = [source] * len(items) if isinstance(source, str) else list(source)
    parsed: list[tuple[Packet | None, ProtocolError | None]] = []
    for item in items:
        if isinstance(item, ProtocolError):
            parsed.append((None, item))
            continue
        try:
            parsed.append((hj212.parse_packet(item.data), None))
        except ProtocolError as exc:
            if _crc_value(item.crc) != hj212.crc16(item.data):
                exc = ProtocolError("bad_crc", f"CRC {item.crc.decode('latin-1')!r} does not match; {exc.detail}",
                                    item.data)
            parsed.append((None, exc))
    devices = devices_by_mn(p.mn for p, _ in parsed if p is not None)
    outcomes: list[Outcome] = []
    units: list[Unit] = []
    rejections: list[Rejection] = []
    for item, (packet, error), item_source in zip(items, parsed, sources):
        device = devices.get(packet.mn) if packet else None
        try:
            if isinstance(item, ProtocolError):
                raise item
            rows = _validate_frame(item, devices, packet, error, now)
        except ProtocolError as exc:
            raw = exc.raw or (item.data if isinstance(item, Frame) else b"")
            outcome = Outcome(False, packet, exc.reason, exc.detail)
            rejections.append(Rejection(exc.reason, exc.detail, raw, packet.mn if packet else "", device,
                                        item_source))
        else:
            outcome = Outcome(True, packet, readings=len(rows))
            units.append(Unit(device, rows, outcome))
        outcomes.append(outcome)
    store(units, rejections, now=now)
    return outcomes


# --- storage --------------------------------------------------------------------------------------

def store(units: Sequence[Unit], rejections: Sequence[Rejection], *, now: dt.datetime | None = None
          ) -> StoreResult:
    """Write accepted units and log rejections in one transaction; fills each unit's outcome.stored."""
    now = now or clock.now()
    result = StoreResult(rejected=len(rejections))
    rows = [(unit.device, pollutant_id, reading) for unit in units for pollutant_id, reading in unit.readings]
    result.readings = len(rows)
    with transaction.atomic():
        if rows:
            partitions.ensure_for_times({reading.observed_at for _, _, reading in rows})
            inserted = _insert_postgresql(rows, now) if is_postgres() else _insert_rowwise(rows,
                                          now)
            result.per_device = inserted
            result.stored = sum(inserted.values())
        _count_packets(units, result.per_device, now)
        _log_rejections(rejections, now)
    # Split each device's new-reading count over its units in order (a device's packets in one batch
    # rarely overlap; when they do, the first packet is credited with the new rows).
    left = dict(result.per_device)
    for unit in units:
        if unit.outcome is not None:
            unit.outcome.stored = min(len(unit.readings), left.get(unit.device.pk, 0))
            left[unit.device.pk] = left.get(unit.device.pk, 0) - unit.outcome.stored
    return result


_COLUMNS = ("device_id", "pollutant_id", "kind", "observed_at", "outlet_id", "station_id") + VALUE_FIELDS + \
           ("flag", "sampled_at")
_TYPES = ("bigint", "bigint", "varchar", "timestamptz", "bigint", "bigint") + ("float8",) * len(VALUE_FIELDS) + \
         ("varchar", "timestamptz")

_AGGREGATE_UPSERT = """
agg_{owner} AS (
    INSERT INTO monitoring_aggregate (outlet_id, station_id, pollutant_id, period, start, count, valid_count,
                                      sum, avg, min, max, updated_at)
    SELECT {outlet}, {station}, pollutant_id, period, start, count(*), count(*) FILTER (WHERE valid),
           coalesce(sum(value) FILTER (WHERE valid), 0), avg(value) FILTER (WHERE valid),
           min(value) FILTER (WHERE valid), max(value) FILTER (WHERE valid), %(now)s
    FROM buckets WHERE {owner}_id IS NOT NULL
    GROUP BY {owner}_id, pollutant_id, period, start
    ORDER BY {owner}_id, pollutant_id, period, start  -- one lock order for concurrent writers
    ON CONFLICT ({owner}_id, pollutant_id, period, start) WHERE {owner}_id IS NOT NULL DO UPDATE SET
        count = monitoring_aggregate.count + EXCLUDED.count,
        valid_count = monitoring_aggregate.valid_count + EXCLUDED.valid_count,
        sum = monitoring_aggregate.sum + EXCLUDED.sum,
        avg = (monitoring_aggregate.sum + EXCLUDED.sum)
              / NULLIF(monitoring_aggregate.valid_count + EXCLUDED.valid_count, 0),
        min = LEAST(monitoring_aggregate.min, EXCLUDED.min),
        max = GREATEST(monitoring_aggregate.max, EXCLUDED.max),
        updated_at = EXCLUDED.updated_at
    RETURNING 1
)"""

_INSERT_SQL = f"""
WITH input AS (
    SELECT * FROM unnest({", ".join(f"%({c})s::{t}[]" for c, t in zip(_COLUMNS, _TYPES))})
        AS t({", ".join(_COLUMNS)})
), ins AS (
    INSERT INTO monitoring_reading ({", ".join(_COLUMNS)}, received_at)
    SELECT {", ".join(_COLUMNS)}, %(now)s FROM input
    ON CONFLICT DO NOTHING
    RETURNING device_id, outlet_id, station_id, pollutant_id, kind, observed_at, value, flag
), buckets AS (
    SELECT ins.outlet_id, ins.station_id, ins.pollutant_id, ins.value, p.period,
           ins.flag = 'N' AND ins.value IS NOT NULL AS valid,
           CASE WHEN p.period = 'hour' THEN date_trunc('hour', ins.observed_at)
                ELSE date_bin('30 minutes', ins.observed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') END AS start
    FROM ins CROSS JOIN (VALUES ('half_hour'), ('hour')) AS p(period)
    WHERE ins.kind IN ('realtime', 'minute')
), {_AGGREGATE_UPSERT.format(owner="outlet", outlet="outlet_id", station="NULL::bigint").strip()},
{_AGGREGATE_UPSERT.format(owner="station", outlet="NULL::bigint", station="station_id").strip()}
SELECT device_id, count(*) FROM ins GROUP BY device_id
"""


def _insert_postgresql(rows: Sequence[tuple[Device, int, ParsedReading]], now: dt.datetime) -> dict[int, int]:
    params: dict[str, object] = {c: [] for c in _COLUMNS}
    for device, pollutant_id, reading in rows:
        params["device_id"].append(device.pk)
        params["pollutant_id"].append(pollutant_id)
        params["kind"].append(reading.kind)
        params["observed_at"].append(reading.observed_at)
        params["outlet_id"].append(device.outlet_id)
        params["station_id"].append(device.station_id)
        for name in VALUE_FIELDS:
            params[name].append(getattr(reading, name))
        params["flag"].append(reading.flag)
        params["sampled_at"].append(reading.sampled_at)
    params["now"] = now
    with connection.cursor() as cur:
        cur.execute(_INSERT_SQL, params)
        return dict(cur.fetchall())


def _bucket_starts(moment: dt.datetime) -> dict[str, dt.datetime]:
    moment = moment.astimezone(dt.UTC)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return {"hour": hour, "half_hour": hour + dt.timedelta(minutes=30 if moment.minute >= 30 else 0)}


def _insert_rowwise(rows: Sequence[tuple[Device, int, ParsedReading]], now: dt.datetime) -> dict[int, int]:
    """The embedded (SQLite) path: the same effects in a few statements per batch: one query for the
    keys already stored, one bulk insert of the new readings, one read and one bulk write of the buckets."""
    from monitoring.models import Aggregate, Reading

    times = [reading.observed_at for _, _, reading in rows]
    stored = set(Reading.objects.filter(device_id__in={device.pk for device, _, _ in rows},
                                        observed_at__range=(min(times), max(times)))
                 .values_list("device_id", "pollutant_id", "kind", "observed_at"))
    per_device: Counter = Counter()
    new: list = []
    touched: dict[tuple, list] = defaultdict(list)
    for device, pollutant_id, reading in rows:
        key = (device.pk, pollutant_id, reading.kind, reading.observed_at)
        if key in stored:
            continue
        stored.add(key)
        new.append(Reading(device=device, pollutant_id=pollutant_id, kind=reading.kind,
                           observed_at=reading.observed_at, outlet_id=device.outlet_id, station_id=device.station_id,
                           flag=reading.flag, sampled_at=reading.sampled_at, received_at=now,
                           **{name: getattr(reading, name) for name in VALUE_FIELDS}))
        per_device[device.pk] += 1
        if reading.kind in ("realtime", "minute"):
            for period, start in _bucket_starts(reading.observed_at).items():
                touched[(device.outlet_id, device.station_id, pollutant_id, period, start)].append(reading)
    Reading.objects.bulk_create(new, batch_size=500)
    if not touched:
        return dict(per_device)
    existing = {(a.outlet_id, a.station_id, a.pollutant_id, a.period, a.start): a for a in Aggregate.objects.filter(
        start__in={key[4] for key in touched}, pollutant_id__in={key[2] for key in touched})}
    created, updated = [], []
    for key, readings in touched.items():
        agg = existing.get(key)
        if agg is None:
            agg = Aggregate(outlet_id=key[0], station_id=key[1], pollutant_id=key[2], period=key[3], start=key[4])
            created.append(agg)
        else:
            updated.append(agg)
        valid = [r.value for r in readings if r.flag == "N" and r.value is not None]
        agg.count += len(readings)
        agg.valid_count += len(valid)
        agg.sum += sum(valid)
        agg.avg = agg.sum / agg.valid_count if agg.valid_count else None
        agg.min = min([v for v in (agg.min, *valid) if v is not None], default=None)
        agg.max = max([v for v in (agg.max, *valid) if v is not None], default=None)
        agg.updated_at = now
    Aggregate.objects.bulk_create(created, batch_size=500)
    Aggregate.objects.bulk_update(updated, ["count", "valid_count", "sum", "avg", "min", "max", "updated_at"],
                                  batch_size=500)
    return dict(per_device)


def _count_packets(units: Sequence[Unit], new_per_device: dict[int, int], now: dt.datetime) -> None:
    packets = Counter(unit.device.pk for unit in units)
    if not packets:
        return
    ids = sorted(packets)
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(
                "UPDATE monitoring_device d SET accepted_packets = d.accepted_packets + v.packets, "
                "stored_readings = d.stored_readings + v.stored, "
                "last_seen_at = GREATEST(d.last_seen_at, %s) "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, packets, stored) WHERE d.id = v.id",
                [now, ids, [packets[i] for i in ids], [new_per_device.get(i, 0) for i in ids]])
        else:
            for pk in ids:
                cur.execute("UPDATE monitoring_device SET accepted_packets = accepted_packets + %s, "
                            "stored_readings = stored_readings + %s, last_seen_at = %s WHERE id = %s",
                            [packets[pk], new_per_device.get(pk, 0), now, pk])


def _log_rejections(rejections: Sequence[Rejection], now: dt.datetime) -> None:
    if not rejections:
        return
    IngestRejection.objects.bulk_create([
        IngestRejection(device=r.device, mn=_no_nul(r.mn)[:64], reason=r.reason, detail=_no_nul(r.detail)[:300],
                        raw=_excerpt(r.raw), source=_no_nul(r.source)[:64], received_at=now)
        for r in rejections
    ])
    per_device = Counter(r.device.pk for r in rejections if r.device is not None)
    for count, pks in _group_by_count(per_device).items():
        Device.objects.filter(pk__in=pks).update(rejected_packets=F("rejected_packets") + count, last_rejected_at=now)


def _group_by_count(counter: Counter) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, count in counter.items():
        groups[count].append(pk)
    return groups


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL: a rejected packet's MN or detail may carry one."""
    return text.replace("\x00", "\\x00")


def _excerpt(raw: bytes | str) -> str:
    text = _no_nul(raw.decode("ascii", "backslashreplace") if isinstance(raw, bytes) else raw)
    return text[:RAW_EXCERPT] + ("…" if len(text) > RAW_EXCERPT else "")


# --- bulk rows (REST API) -------------------------------------------------------------------------

BULK_FIELDS = ("mn", "pollutant", "observed_at", "kind", "flag", "sampled_at") + VALUE_FIELDS[1:]
KINDS = frozenset(hj212.DATA_KINDS.values())


@dataclass
class RowError:
    row: int
    reason: str
    detail: str


@dataclass
class BulkResult:
    received: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.received - self.stored if not self.errors else 0


def parse_row_time(value, what: str) -> dt.datetime:
    """ISO 8601 (naive = local time) or the HJ 212 ``YYYYMMDDhhmmss`` form."""
    text = str(value).strip()
    if text.isdigit():
        return hj212.parse_time(text, what)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ProtocolError("bad_time", f"{what}={text[:30]!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=hj212.DEFAULT_TZ)


def parse_row(row) -> tuple[str, ParsedReading]:
    """One bulk row (a dict of strings or JSON values) → (MN, reading). Raises ProtocolError."""
    if not isinstance(row, dict):
        raise ProtocolError("bad_field", "a row must be an object")
    for key, value in row.items():
        if "\x00" in str(key) or (isinstance(value, str) and "\x00" in value):
            raise ProtocolError("bad_field", f"{str(key)[:20]!r} holds a NUL character")
    unknown = set(row) - set(BULK_FIELDS)
    if unknown:
        raise ProtocolError("bad_field", f"unknown fields: {', '.join(sorted(map(str, unknown)))[:100]}")
    mn = str(row.get("mn") or "").strip()
    code = str(row.get("pollutant") or "").strip()
    kind = str(row.get("kind") or "").strip()
    if not mn or not code or not row.get("observed_at"):
        raise ProtocolError("bad_field", "mn, pollutant and observed_at are required")
    if kind not in KINDS:
        raise ProtocolError("bad_field", f"kind must be one of {', '.join(sorted(KINDS))}")
    values = {}
    for name in VALUE_FIELDS[1:]:
        raw = row.get(name)
        if raw is None or raw == "":
            continue
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ProtocolError("bad_number", f"{name} is not a number")
        values[name] = hj212.parse_number(str(raw), name)
    flag = str(row.get("flag") or "N").strip().upper()
    if flag not in hj212.DATA_FLAGS:
        raise ProtocolError("bad_field", f"flag {flag[:5]!r} is not a data flag (N F M S D C T B)")
    if not values and flag == "N":
        raise ProtocolError("bad_field", "no value given")
    sampled = row.get("sampled_at")
    _, old_codes = pollutant_codes()
    return mn, ParsedReading(code=old_codes.get(code, code), kind=kind,
                             observed_at=parse_row_time(row["observed_at"], "observed_at"), flag=flag,
                             sampled_at=parse_row_time(sampled, "sampled_at") if sampled else None, **values)


def ingest_rows(rows: Sequence, *, may_post, source: str = "", now: dt.datetime | None = None) -> BulkResult:
    """Validate bulk rows and store them all, or none if any row is refused (then ``errors`` lists every
    refused row, 1-based, with its reason; each is also logged as an IngestRejection).
    ``may_post(device)`` says whether the caller may send data for that device."""
    now = now or clock.now()
    result = BulkResult(received=len(rows))
    parsed: list[tuple[int, str, ParsedReading] | None] = []
    for number, row in enumerate(rows, start=1):
        try:
            mn, reading = parse_row(row)
            parsed.append((number, mn, reading))
        except ProtocolError as exc:
            result.errors.append(RowError(number, exc.reason, exc.detail))
            parsed.append(None)
    devices = devices_by_mn(item[1] for item in parsed if item)
    by_device: dict[int, Unit] = {}
    rejections: list[Rejection] = []
    for item, row in zip(parsed, rows):
        if item is None:
            continue
        number, mn, reading = item
        device = devices.get(mn)
        try:
            check_device(device, mn, device.password if device else None)
            if not may_post(device):
                raise ProtocolError("forbidden", f"this account may not send data for device {mn}")
            [(pollutant_id, reading)] = resolve_readings([reading], now)
        except ProtocolError as exc:
            result.errors.append(RowError(number, exc.reason, exc.detail))
            rejections.append(Rejection(exc.reason, exc.detail, str(row), mn, device, source))
            continue
        by_device.setdefault(device.pk, Unit(device, [])).readings.append((pollutant_id, reading))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        by_number = {e.row: e for e in result.errors}
        rejections += [Rejection(by_number[n].reason, by_number[n].detail, str(row),
                                 str(row.get("mn", "")) if isinstance(row, dict) else "", None, source)
                       for n, (item, row) in enumerate(zip(parsed, rows), start=1) if item is None]
        store([], rejections, now=now)
        return result
    result.stored = store(list(by_device.values()), [], now=now).stored
    return result
