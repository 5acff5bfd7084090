"""Ingestion: validate packets (HJ 212 frames or bulk-API rows) and store their readings exactly once.

An HJ 212 frame is refused only when it cannot be trusted or placed: it cannot be framed, its CRC is
wrong, its header cannot be read, its MN is unknown or deactivated, its password is wrong. The reason is
logged in ``IngestRejection``, counted on the device and answered with the protocol's QnRtn (CN 9011).
Everything else a registered device sends is stored and, when its Flag asks, acknowledged (CN 9014):
the items whose code the device's mappings, the 2017 table or the 2005 codes of the device's medium
resolve count as readings; the others (unknown codes, unreadable values, implausible times) are kept
as sent in ``HeldValue`` for staff to map (``recount_held`` counts them afterwards). An upload whose
command carries no readings (a start-up time, a running status, a reply) is kept as a ``DeviceMessage``;
a heartbeat only marks the device in contact (not as sending data); a time-calibration request is answered
with the time.
Bulk-API rows are all or nothing: the client gets every refused row with its reason.

A batch of packets is written in one transaction, set-based:

* readings: one ``INSERT .. SELECT FROM unnest(..) ON CONFLICT DO NOTHING RETURNING`` (a resend of the
  same device + pollutant + kind + DataTime stores nothing and is counted as a duplicate);
* aggregates: the half-hour, hourly and daily windows touched by the NEW readings are upserted in the
  same statement (count, valid count, sum, avg, min, max; valid = flag N outside the device's invalid
  periods, ``monitoring.validity``), each from the best data kind sent for it (daily > hourly > minute >
  real-time; a better kind replaces a worse one, never mixed). A busy HJ 212 server defers them
  (``defer_aggregates``): the new readings go into the aggregate backlog in the same statement, and
  ``monitoring.services.aggregate_backlog`` counts them into their windows a moment later, many
  readings of a window in one upsert;
* device counters: one UPDATE for all devices of the batch; rejections and held values: bulk INSERTs.

On SQLite (embedded mode) the same happens in a few ORM statements per batch (``_insert_rowwise``).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from core import clock
from core.db import is_postgres
from enterprises import reference
from enterprises.models import Pollutant
from monitoring import hj212
from monitoring.hj212 import Frame, Packet, ParsedReading, ProtocolError
from monitoring.models import (
    DataKind,
    Device,
    DeviceMessage,
    HeldValue,
    IngestRejection,
    InstrumentState,
    ReadingSource,
)
from monitoring.services import credentials
from monitoring.services.commands import command_replies_record
from monitoring.services.device_messages import changed_only, device_message
from monitoring.validity import valid_sql, void_checker

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
    held: int = 0
    messages: int = 0  # 1 when the packet was kept as a DeviceMessage (a command with no readings, or a new status)

    def reply(self) -> bytes | None:
        """The acknowledgement to send back, if the packet asked for one (Flag A bit); a time-calibration
        request (CN 1013) is answered with the time (CN 1012) besides."""
        if self.packet is None:
            return None
        if self.accepted and self.packet.cn == hj212.TIME_REQUEST_CN:  # answered whether or not Flag asks
            ack = hj212.data_ack(self.packet) if self.packet.wants_ack else b""
            return ack + hj212.time_set(self.packet, clock.now())
        if not self.packet.wants_ack:
            return None
        if self.accepted:
            return hj212.data_ack(self.packet)
        if self.reason in credentials.CREDENTIAL_REASONS and not settings.HJ212_DISTINCT_REFUSALS:
            return hj212.request_ack(self.packet, hj212.QNRTN_REJECTED)  # who is who stays unsaid
        return hj212.request_ack(self.packet, hj212.QNRTN_BY_REASON.get(self.reason, hj212.QNRTN_UNKNOWN))


@dataclass
class Unit:
    """The validated readings of one packet of one device, ready to store."""

    device: Device
    readings: list[tuple[int, ParsedReading]]  # (pollutant id, reading)
    outcome: Outcome | None = None
    origin: str = ReadingSource.DEVICE_TCP  # Reading.source
    entered_by_id: int | None = None  # the user of a manual entry
    held: list = field(default_factory=list)  # HeldValue rows (unsaved)
    states: list = field(default_factory=list)  # InstrumentState rows (unsaved): one analyser's state (CN 3020)
    messages: list = field(default_factory=list)  # DeviceMessage rows (unsaved): an upload with no readings


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

@dataclass
class CodeBook:
    """The code table as ingestion needs it: 2017 code → pollutant id, medium → 2005 code → 2017 code,
    family prefix → family code (``e101`` → ``e101xx``), pollutant id → bound of its data type."""

    ids: dict[str, int]
    by_2005: dict[str, dict[str, str]]
    families: dict[str, str]
    loaded: float = 0.0
    bounds: dict[int, float] = field(default_factory=dict)


_codebook: CodeBook | None = None


def codebook() -> CodeBook:
    """The code table, cached for a few minutes."""
    global _codebook
    if _codebook is None or time.monotonic() - _codebook.loaded > POLLUTANT_CACHE_SECONDS:
        rows = list(Pollutant.objects.values_list("id", "code", "code_2005", "medium"))
        by_2005: dict[str, dict[str, str]] = defaultdict(dict)
        for _, code, old, medium in rows:
            if old:
                by_2005[medium][old] = code
        families = reference.families(code for _, code, _, _ in rows)
        _codebook = CodeBook({code: pk for pk, code, _, _ in rows}, dict(by_2005), families, time.monotonic(),
                             _bounds(rows, families))
    return _codebook


def _bounds(rows, families: dict[str, str]) -> dict[int, float]:
    """Pollutant id → the bound of its code's data type (a family member's is its family's)."""
    types = reference.data_types()
    bounds = {}
    for pk, code, _, _ in rows:
        bound = hj212.type_bound(types.get(code) or types.get(reference.family_of(code, families) or "", ""))
        if bound is not None:
            bounds[pk] = bound
    return bounds


def pollutant_codes() -> tuple[dict[str, int], dict[str, str]]:
    """(2017 code → pollutant id, 2005 code → 2017 code over all media), for callers without a device."""
    book = codebook()
    return book.ids, {old: code for medium in book.by_2005.values() for old, code in medium.items()}


def forget_pollutants() -> None:
    """Drop the cached code table (after the reference rows were reloaded)."""
    global _codebook
    _codebook = None


def device_medium(device: Device) -> str:
    """The medium whose 2005 codes a device speaks: its outlet's kind, or its station's."""
    if device.outlet_id:
        return device.outlet.kind
    return "water" if device.station.kind == "water_quality" else "air"


def _concrete_family_member(code: str, book: CodeBook) -> int | None:
    """A numbered member of a family code (``e10101`` of ``e101xx``) becomes its own pollutant row."""
    family_code = reference.family_of(code, book.families)
    if family_code is None:
        return None
    family = Pollutant.objects.get(code=family_code)
    member, _ = Pollutant.objects.get_or_create(code=code, defaults={
        "name": f"{family.name}（{code[len(family_code.rstrip('x')):]}号）"[:64], "medium": family.medium,
        "unit": family.unit, "emission_unit": family.emission_unit, "is_parameter": family.is_parameter,
        "note": family.note})
    book.ids[code] = member.pk
    if family.pk in book.bounds:
        book.bounds[member.pk] = book.bounds[family.pk]
    return member.pk


def pollutant_for(device: Device, code: str, mappings: dict[tuple[int, str], int], book: CodeBook | None = None
                  ) -> int | None:
    """The pollutant a code sent by ``device`` means: the device's own mapping, else the 2017 code,
    else the 2005 code of the device's medium, else a family member; None when nothing says.
    ``book``: the code table, when the caller has it at hand."""
    mapped = mappings.get((device.pk, code))
    if mapped is not None:
        return mapped
    book = book or codebook()
    if code in book.ids:
        return book.ids[code]
    new_code = book.by_2005.get(device_medium(device), {}).get(code)
    if new_code is not None:
        return book.ids[new_code]
    return _concrete_family_member(code, book)


def mappings_for(devices: Iterable[Device]) -> dict[tuple[int, str], int]:
    """(device id, code as sent) → pollutant id of the devices' own code mappings."""
    from monitoring.models import CodeMapping

    ids = [d.pk for d in devices]
    return {(d, c): p for d, c, p in CodeMapping.objects.filter(device_id__in=ids)
            .values_list("device_id", "code", "pollutant_id")} if ids else {}


# What ingestion reads of a device, its outlet and its station: a cached device whose row still says
# the same is used as it is.
_DEVICE_COLUMNS = ("mn", "pk", "password", "is_active", "accept_swapped_crc", "protocol_version", "outlet_id",
                   "station_id", "outlet__kind", "outlet__enterprise_id", "station__kind")
_devices: dict[str, tuple[tuple, Device]] = {}


def devices_by_mn(mns: Iterable[str]) -> dict[str, Device]:
    """The devices of these MNs, kept between batches: each batch reads only the columns above (plain
    values, no model instances; building 200 devices with their outlets, enterprises and stations was a
    tenth of a batch's time) and reads again, whole, only the devices whose columns changed."""
    mns = {mn for mn in mns if "\x00" not in mn}  # no device has one, and PostgreSQL cannot take it as a parameter
    if not mns:
        return {}
    rows = {row[0]: row for row in Device.objects.filter(mn__in=mns).values_list(*_DEVICE_COLUMNS)}
    changed = [mn for mn, row in rows.items() if _devices.get(mn, ((),))[0] != row]
    if changed:
        for device in Device.objects.select_related("outlet__enterprise", "station").filter(mn__in=changed):
            if device.mn in rows:
                _devices[device.mn] = (rows[device.mn], device)
    return {mn: _devices[mn][1] for mn in rows if mn in _devices}


# --- validation -----------------------------------------------------------------------------------

def check_device(device: Device | None, mn: str, password: str | None, *, address: str = "",
                 lockouts: credentials.Lockouts | None = None) -> None:
    """Refuse an unknown MN, a deactivated device or a wrong password; over TCP (``address`` known, the
    batch's ``lockouts`` given) repeated failures lock out the MN and the address
    (``monitoring.services.credentials``)."""
    if lockouts is not None and address and lockouts.is_locked_out(mn, address):
        raise ProtocolError("locked_out", f"MN {mn[:40]!r} or address {address} locked out after repeated failures")
    if device is None or not device.password or password != device.password:
        if lockouts is not None and address:
            lockouts.failed(mn=mn if device else "", address=address)
        if device is None:
            raise ProtocolError("unknown_mn", f"no device with MN {mn[:40]!r}")
        raise ProtocolError("wrong_pw", f"wrong password for device {mn}")
    if not device.is_active:
        raise ProtocolError("inactive", f"device {mn} is deactivated")


def _time_problem(reading: ParsedReading, now: dt.datetime) -> str:
    if reading.observed_at > now + MAX_FUTURE or reading.observed_at < EARLIEST:
        return f"DataTime {reading.observed_at:%Y-%m-%d %H:%M:%S} is implausible"
    return ""


def resolve_readings(readings: Sequence[ParsedReading], now: dt.datetime, device: Device,
                     mappings: dict[tuple[int, str], int]) -> list[tuple[int, ParsedReading]]:
    """Pollutant ids for parsed readings and a check of their times and ranges, all or nothing
    (the bulk API, whose client gets the refusal and can correct the row)."""
    out = []
    for reading in readings:
        pollutant_id = pollutant_for(device, reading.code, mappings)
        if pollutant_id is None:
            raise ProtocolError("unknown_pollutant", f"unknown pollutant code {reading.code[:20]!r}")
        if _time_problem(reading, now):
            raise ProtocolError("bad_time", _time_problem(reading, now))
        if out_of_range := hj212.range_problem(reading, codebook().bounds.get(pollutant_id)):
            raise ProtocolError("bad_number", out_of_range)
        out.append((pollutant_id, reading))
    return out


def _held(device: Device, item, problem: str, detail: str, now: dt.datetime):
    if isinstance(item, ParsedReading):
        values = {suffix: hj212.format_number(getattr(item, name)) for suffix, name in hj212.VALUE_SUFFIXES.items()
                  if getattr(item, name) is not None}
        values["Flag"] = item.flag
        observed_at = item.observed_at
    else:
        values, observed_at = item.values, item.observed_at
    return HeldValue(device=device, code=_no_nul(item.code)[:32], kind=item.kind, observed_at=observed_at,
                     values={_no_nul(k)[:40]: _no_nul(str(v))[:100] for k, v in values.items()}, problem=problem,
                     detail=_no_nul(detail)[:200], received_at=now)


def sort_items(device: Device, packet: Packet, now: dt.datetime, mappings: dict[tuple[int, str], int]
               ) -> tuple[list[tuple[int, ParsedReading]], list]:
    """Every item of an accepted packet, as readings that count and ``HeldValue``s that do not (yet):
    codes nobody mapped, values that cannot be read or do not fit their code's data type, implausible
    times, a pollutant sent twice."""
    found, unread = hj212.read_items(packet)
    held = [_held(device, item, "bad_time" if item.reason == "bad_time" else "bad_value", item.detail, now)
            for item in unread]
    book = codebook()
    time_problems: dict[dt.datetime, str] = {}  # a packet's readings share their DataTime
    rows: dict[int, ParsedReading] = {}
    for reading in found:
        pollutant_id = pollutant_for(device, reading.code, mappings, book)
        if reading.observed_at not in time_problems:
            time_problems[reading.observed_at] = _time_problem(reading, now)
        if pollutant_id is None:
            held.append(_held(device, reading, "unknown_code", "", now))
        elif time_problems[reading.observed_at]:
            held.append(_held(device, reading, "bad_time", time_problems[reading.observed_at], now))
        elif out_of_range := hj212.range_problem(reading, book.bounds.get(pollutant_id)):
            held.append(_held(device, reading, "bad_value", out_of_range, now))
        elif pollutant_id in rows:
            held.append(_held(device, reading, "bad_value", "pollutant sent twice (2005 and 2017 codes?)", now))
        else:
            rows[pollutant_id] = reading
    return list(rows.items()), held


def analyser_states(device: Device, packet: Packet, now: dt.datetime, mappings: dict[tuple[int, str], int]
                    ) -> tuple[list[InstrumentState], list[HeldValue]]:
    """The states of a CN 3020 upload that name their analyser (``PolId``), as ``InstrumentState`` rows;
    those of an analyser code nobody mapped, or at an implausible time, held as sent. An unreadable
    DataTime has held the whole upload already (``sort_items``)."""
    if packet.cn != hj212.DEVICE_INFO_CN or not packet.infos:
        return [], []
    try:
        observed_at = hj212.parse_time(packet.params.get("DataTime", ""))
    except ProtocolError:
        return [], []
    states, held = [], []
    for item in hj212.analyser_states(packet, observed_at):
        analyser_id = pollutant_for(device, item.analyser, mappings)
        problem = "unknown_code" if analyser_id is None else ""
        if not problem and (item.observed_at > now + MAX_FUTURE or item.observed_at < EARLIEST):
            problem = "bad_time"
        if problem:
            held.append(HeldValue(device=device, code=_no_nul(item.analyser)[:32], kind=DataKind.REALTIME,
                                  observed_at=observed_at, values={f"{item.code}-Info": str(item.state)},
                                  problem=problem, detail=f"PolId of {item.code}", received_at=now))
            continue
        states.append(InstrumentState(device=device, outlet_id=device.outlet_id, analyser_id=analyser_id,
                                      code=item.code, state=item.state, observed_at=observed_at, received_at=now))
    return states, held


def _validate_frame(frame: Frame, devices: dict[str, Device], packet: Packet | None, error: ProtocolError | None,
                    address: str, lockouts: credentials.Lockouts) -> Device:
    if error is not None:
        raise error
    device = devices.get(packet.mn)
    crc_ok = hj212.crc16(frame.data) == _crc_value(frame.crc)
    if not crc_ok:
        hj212.check_crc(frame.data, frame.crc, allow_swapped=bool(device and device.accept_swapped_crc))
    check_device(device, packet.mn, packet.pw, address=address, lockouts=lockouts)
    return device


def _crc_value(field_: bytes) -> int | None:
    try:
        return int(field_, 16) if len(field_) == 4 else None
    except ValueError:
        return None


def ingest_frames(items: Sequence[Frame | ProtocolError], *, source: str | Sequence[str] = "",
                  now: dt.datetime | None = None, defer_aggregates: bool = False) -> list[Outcome]:
    """Validate and store a batch of frames (and log framing errors). Returns one Outcome per item,
    in order; every accepted packet's readings and held values are committed when this returns.
    ``source`` (the peer) is one string for all items or one per item.

    Refused: what cannot be framed, a bad CRC, an unreadable header, an unknown or deactivated MN, a
    wrong password. Everything else a registered device sends is stored: the items that count as
    readings, the others as ``HeldValue``s. With ``defer_aggregates`` the readings' windows are counted
    later, from the aggregate backlog (PostgreSQL only; see ``store``)."""
    now = now or clock.now()
    sources = [source] * len(items) if isinstance(source, str) else list(source)
    parsed: list[tuple[Packet | None, ProtocolError | None]] = []
    for item in items:
        if isinstance(item, ProtocolError):
            parsed.append((None, item))
            continue
        try:
            parsed.append((hj212.parse_packet(item.data, lenient=True), None))
        except ProtocolError as exc:
            if _crc_value(item.crc) != hj212.crc16(item.data):
                exc = ProtocolError("bad_crc", f"CRC {item.crc.decode('latin-1')!r} does not match; {exc.detail}",
                                    item.data)
            parsed.append((None, exc))
    devices = devices_by_mn(p.mn for p, _ in parsed if p is not None)
    mappings = mappings_for(devices.values())
    lockouts = credentials.Lockouts((p.mn, credentials.address_of(s)) for (p, _), s in zip(parsed, sources) if p)
    outcomes: list[Outcome] = []
    units: list[Unit] = []
    rejections: list[Rejection] = []
    for item, (packet, error), item_source in zip(items, parsed, sources):
        device = devices.get(packet.mn) if packet else None
        try:
            if isinstance(item, ProtocolError):
                raise item
            device = _validate_frame(item, devices, packet, error, credentials.address_of(item_source),
                                     lockouts)
        except ProtocolError as exc:
            raw = exc.raw or (item.data if isinstance(item, Frame) else b"")
            outcome = Outcome(False, packet, exc.reason, exc.detail)
            rejections.append(Rejection(exc.reason, exc.detail, raw, packet.mn if packet else "", device,
                                        item_source))
        else:
            rows, held = sort_items(device, packet, now, mappings)
            states, unplaced = analyser_states(device, packet, now, mappings)
            message = device_message(device, packet, now)
            outcome = Outcome(True, packet, readings=len(rows), held=len(held) + len(unplaced),
                              messages=int(message is not None))
            units.append(Unit(device, rows, outcome, held=held + unplaced, states=states,
                              messages=[message] if message else []))
        outcomes.append(outcome)
    store(units, rejections, now=now, defer_aggregates=defer_aggregates)
    return outcomes


# --- storage --------------------------------------------------------------------------------------

def store(units: Sequence[Unit], rejections: Sequence[Rejection], *, now: dt.datetime | None = None,
          defer_aggregates: bool = False) -> StoreResult:
    """Write accepted units and log rejections in one transaction; fills each unit's outcome.stored.
    With ``defer_aggregates`` (on PostgreSQL) the new readings are put in the aggregate backlog instead of
    being counted into their windows now: a batch costs about half as much to commit, and the backlog's
    fold counts all the readings a window received meanwhile in one upsert."""
    now = now or clock.now()
    result = StoreResult(rejected=len(rejections))
    rows = [(unit.device, pollutant_id, reading, unit) for unit in units for pollutant_id, reading in unit.readings]
    result.readings = len(rows)
    with transaction.atomic():
        if rows:  # into the day's partition, made ahead by beat; other days land in the default partition
            inserted = (_insert_postgresql(rows, now, deferred=defer_aggregates) if is_postgres()
                        else _insert_rowwise(rows, now))
            result.per_device = inserted
            result.stored = sum(inserted.values())
        held = [row for unit in units for row in unit.held]
        if held:
            HeldValue.objects.bulk_create(held, batch_size=500)
        if states := [row for unit in units for row in unit.states]:
            InstrumentState.objects.bulk_create(states, batch_size=500, ignore_conflicts=True)
        if messages := [row for unit in units for row in unit.messages]:
            kept = changed_only(messages)
            DeviceMessage.objects.bulk_create(kept, batch_size=500, ignore_conflicts=True)
            command_replies_record(kept, now)
            kept_ids = {id(row) for row in kept}
            for unit in units:
                if unit.outcome is not None and unit.messages:
                    unit.outcome.messages = sum(id(row) in kept_ids for row in unit.messages)
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
           ("flag", "sampled_at", "source", "entered_by_id")
_TYPES = ("bigint", "bigint", "varchar", "timestamptz", "bigint", "bigint") + ("float8",) * len(VALUE_FIELDS) + \
         ("varchar", "timestamptz", "varchar", "bigint")

# The data kinds by rank: a window takes the best kind the device sent for it, never a mix.
KIND_RANK = {"realtime": 1, "minute": 2, "hour": 3, "day": 4}
# The best kind each period can be built from (a half-hour from minute data at best, an hour from hourly).
PERIOD_TOP_KIND = {"half_hour": 2, "hour": 3, "day": 4}
LOCAL_TZ = "Asia/Shanghai"
WIND_DIRECTION = "a01008"  # averaged as a vector
_RANK_SQL = "array_position(ARRAY['realtime', 'minute', 'hour', 'day']::varchar[], {}::varchar)"


def _pick(same: str, better: str, current: str) -> str:
    """CASE of an aggregate column: accumulate for the same kind, replace for a better one, else keep."""
    return f"CASE WHEN EXCLUDED.kind = monitoring_aggregate.kind THEN {same} WHEN {_BETTER} THEN {better} " \
           f"ELSE {current} END"


_BETTER = f"{_RANK_SQL.format('EXCLUDED.kind')} > {_RANK_SQL.format('monitoring_aggregate.kind')}"
_AGG = "monitoring_aggregate"
_BOTH = ("CASE WHEN EXCLUDED.pollutant_id = %(direction_id)s "
         "THEN coalesce(monitoring_aggregate.{0}, 0) + coalesce(EXCLUDED.{0}, 0) END")
_VECTOR_AVG = "mod(degrees(atan2({sin}, {cos}))::numeric + 360, 360)::float8"
_AGGREGATE_UPSERT = f"""
agg_{{owner}} AS (
    INSERT INTO monitoring_aggregate (outlet_id, station_id, pollutant_id, period, start, kind, count, valid_count,
                                      sum, sum_sin, sum_cos, avg, min, max, updated_at)
    SELECT {{outlet}}, {{station}}, pollutant_id, period, start, kind, count, valid_count, sum, sum_sin, sum_cos,
           CASE WHEN direction THEN {_VECTOR_AVG.format(sin="sum_sin", cos="sum_cos")} ELSE avg END, min, max, %(now)s
    FROM best WHERE {{owner}}_id IS NOT NULL
    ORDER BY {{owner}}_id, pollutant_id, period, start  -- one lock order for concurrent writers
    ON CONFLICT ({{owner}}_id, pollutant_id, period, start) WHERE {{owner}}_id IS NOT NULL DO UPDATE SET
        count = {_pick(f"{_AGG}.count + EXCLUDED.count", "EXCLUDED.count", f"{_AGG}.count")},
        valid_count = {_pick(f"{_AGG}.valid_count + EXCLUDED.valid_count", "EXCLUDED.valid_count",
                             f"{_AGG}.valid_count")},
        sum = {_pick(f"{_AGG}.sum + EXCLUDED.sum", "EXCLUDED.sum", f"{_AGG}.sum")},
        sum_sin = {_pick(_BOTH.format("sum_sin"), "EXCLUDED.sum_sin", f"{_AGG}.sum_sin")},
        sum_cos = {_pick(_BOTH.format("sum_cos"), "EXCLUDED.sum_cos", f"{_AGG}.sum_cos")},
        avg = {_pick(f"CASE WHEN {_AGG}.valid_count + EXCLUDED.valid_count = 0 THEN NULL "
                     f"WHEN EXCLUDED.pollutant_id = %(direction_id)s THEN "
                     + _VECTOR_AVG.format(sin=_BOTH.format("sum_sin"), cos=_BOTH.format("sum_cos"))
                     + f" ELSE ({_AGG}.sum + EXCLUDED.sum) / ({_AGG}.valid_count + EXCLUDED.valid_count) END",
                     "EXCLUDED.avg", f"{_AGG}.avg")},
        min = {_pick(f"LEAST({_AGG}.min, EXCLUDED.min)", "EXCLUDED.min", f"{_AGG}.min")},
        max = {_pick(f"GREATEST({_AGG}.max, EXCLUDED.max)", "EXCLUDED.max", f"{_AGG}.max")},
        kind = {_pick("EXCLUDED.kind", "EXCLUDED.kind", f"{_AGG}.kind")},
        updated_at = EXCLUDED.updated_at
    RETURNING 1
)"""

# The columns of a reading that its windows need (``valid_sql`` and the buckets), as the backlog keeps them.
BACKLOG_COLUMNS = "device_id, outlet_id, station_id, pollutant_id, kind, observed_at, value, flag"
_READINGS_SQL = f"""
WITH input AS (
    SELECT * FROM unnest({", ".join(f"%({c})s::{t}[]" for c, t in zip(_COLUMNS, _TYPES))})
        AS t({", ".join(_COLUMNS)})
), ins AS (
    INSERT INTO monitoring_reading ({", ".join(_COLUMNS)}, received_at)
    SELECT {", ".join(_COLUMNS)}, %(now)s FROM input
    ON CONFLICT DO NOTHING
    RETURNING {BACKLOG_COLUMNS}
)"""
_BUCKETS_SQL = f"""
, checked AS MATERIALIZED (  -- validity once per reading, not once per window and aggregate that reads it
    SELECT ins.*, {valid_sql('ins')} AS valid FROM ins
), buckets AS (
    SELECT ins.outlet_id, ins.station_id, ins.pollutant_id, ins.value, ins.kind, k.rank, p.period,
           ins.valid, ins.pollutant_id = %(direction_id)s AS direction,
           CASE p.period WHEN 'hour' THEN date_trunc('hour', ins.observed_at)
                WHEN 'day' THEN date_trunc('day', ins.observed_at, '{LOCAL_TZ}')
                ELSE date_bin('30 minutes', ins.observed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') END AS start
    FROM checked ins
    JOIN (VALUES {", ".join(f"('{k}', {r})" for k, r in KIND_RANK.items())}) AS k(kind, rank) ON k.kind = ins.kind
    JOIN (VALUES {", ".join(f"('{p}', {r})" for p, r in PERIOD_TOP_KIND.items())}) AS p(period, top)
        ON k.rank <= p.top
), grouped AS (  -- each window's statistics by kind
    SELECT outlet_id, station_id, pollutant_id, period, start, kind, rank, count(*) AS count,
           count(*) FILTER (WHERE valid) AS valid_count, coalesce(sum(value) FILTER (WHERE valid), 0) AS sum,
           sum(sin(radians(value))) FILTER (WHERE valid AND direction) AS sum_sin,
           sum(cos(radians(value))) FILTER (WHERE valid AND direction) AS sum_cos, bool_or(direction) AS direction,
           avg(value) FILTER (WHERE valid) AS avg, min(value) FILTER (WHERE valid) AS min,
           max(value) FILTER (WHERE valid) AS max
    FROM buckets GROUP BY outlet_id, station_id, pollutant_id, period, start, kind, rank
)"""
_RANKED_SQL = """
, best AS (  -- within the batch too, each window keeps only its best kind
    SELECT * FROM (SELECT g.*, max(g.rank) OVER (PARTITION BY g.outlet_id, g.station_id, g.pollutant_id, g.period,
                                                              g.start) AS best_rank
                   FROM grouped g) ranked
    WHERE rank = best_rank
)"""
_OWNERS = {"outlet": _AGGREGATE_UPSERT.format(owner="outlet", outlet="outlet_id", station="NULL::bigint").strip(),
           "station": _AGGREGATE_UPSERT.format(owner="station", outlet="NULL::bigint", station="station_id").strip()}
_BACKLOG_SQL = f"""
, backlog AS (  -- counted into their windows later (monitoring.services.aggregate_backlog)
    INSERT INTO monitoring_aggregate_backlog ({BACKLOG_COLUMNS})
    SELECT {BACKLOG_COLUMNS} FROM ins
    WHERE kind IN ({", ".join(f"'{k}'" for k in KIND_RANK)}) AND (outlet_id IS NOT NULL OR station_id IS NOT NULL)
    RETURNING 1
)"""


def windows_sql(owners: tuple[str, ...], *, ranked: bool = True) -> str:
    """The CTEs that count the rows of the CTE ``ins`` (the columns of ``BACKLOG_COLUMNS``) into the
    windows of the ``owners`` (outlet, station); ``ranked`` when the rows may hold more than one kind (the
    window function sorts the window's groups by kind; with one kind each group is the best of its window).
    Parameters: ``now`` and ``direction_id``."""
    return (_BUCKETS_SQL + (_RANKED_SQL if ranked else ", best AS (SELECT * FROM grouped)")
            + "".join(f",\n{_OWNERS[owner]}" for owner in owners))


@functools.cache
def _insert_sql(owners: tuple[str, ...], kinds: int, deferred: bool = False) -> str:
    """The batch's statement: the readings, then the aggregates of the ``owners`` (outlet, station) the
    batch has, or with ``deferred`` the new readings into the aggregate backlog."""
    sql = _READINGS_SQL
    if owners:
        sql += _BACKLOG_SQL if deferred else windows_sql(owners, ranked=kinds > 1)
    return sql + "\nSELECT device_id, count(*) FROM ins GROUP BY device_id"


def _insert_postgresql(rows: Sequence[tuple[Device, int, ParsedReading, Unit]], now: dt.datetime, *,
                       deferred: bool = False) -> dict[int, int]:
    devices = [row[0] for row in rows]
    readings = [row[2] for row in rows]
    units = [row[3] for row in rows]
    params: dict[str, list] = {  # column by column, each a list built at C speed
        "device_id": list(map(attrgetter("id"), devices)), "pollutant_id": [row[1] for row in rows],
        "outlet_id": list(map(attrgetter("outlet_id"), devices)),
        "station_id": list(map(attrgetter("station_id"), devices)),
        "source": list(map(attrgetter("origin"), units)), "entered_by_id": list(map(attrgetter("entered_by_id"), units)),
        **{name: list(map(attrgetter(name), readings)) for name in ("kind", "observed_at", "flag", "sampled_at")
           + VALUE_FIELDS}}
    owners = tuple(owner for owner in ("outlet", "station") if any(params[f"{owner}_id"]))
    sql = _insert_sql(owners, len(set(params["kind"]) & KIND_RANK.keys()), deferred)
    params = {column: _array_text(params[column], numeric=kind in _NUMERIC) for column, kind in zip(_COLUMNS, _TYPES)}
    params["now"] = now
    params["direction_id"] = codebook().ids.get(WIND_DIRECTION, 0)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return dict(cur.fetchall())


_NUMERIC = frozenset({"bigint", "float8"})


def _array_text(values: list, *, numeric: bool) -> str:
    """One column as a PostgreSQL array literal (``{1,NULL,realtime}``), sent as one text parameter and
    read by the server's array parser: a list parameter would become ``ARRAY[..]`` with one SQL literal
    per value, thousands of expressions for the planner to parse in every batch. Values are ids, finite
    floats (parse_number refuses the others), times, and the codes of kinds, flags and sources: numbers
    are joined as they are (``None`` becomes ``NULL``), other values formatted once per distinct value. A
    column of nothing but NULLs (the values a packet's kind does not carry) is sent empty: ``unnest`` pads
    the shorter arrays with NULLs."""
    if values.count(None) == len(values):
        return "{}"
    if numeric:
        return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"
    text = {v: _array_element(v) for v in set(values)}
    return "{" + ",".join(map(text.__getitem__, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dt.datetime):
        return f'"{value.isoformat()}"'
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def window_starts(moment: dt.datetime, kind: str) -> dict[str, dt.datetime]:
    """The windows a reading of ``kind`` at ``moment`` feeds, by period, with their starts (UTC); none for
    manual results, which never enter the aggregates (device data always win)."""
    if kind not in KIND_RANK:
        return {}
    utc = moment.astimezone(dt.UTC)
    hour = utc.replace(minute=0, second=0, microsecond=0)
    local = moment.astimezone(hj212.DEFAULT_TZ)
    starts = {"half_hour": hour + dt.timedelta(minutes=30 if utc.minute >= 30 else 0), "hour": hour,
              "day": local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)}
    return {period: start for period, start in starts.items() if KIND_RANK[kind] <= PERIOD_TOP_KIND[period]}


def _insert_rowwise(rows: Sequence[tuple[Device, int, ParsedReading, Unit]], now: dt.datetime) -> dict[int, int]:
    """The embedded (SQLite) path: the same effects in a few statements per batch: one query for the
    keys already stored, one bulk insert of the new readings, one read and one bulk write of the buckets."""
    from monitoring.models import Aggregate, Reading

    times = [reading.observed_at for _, _, reading, _ in rows]
    stored = set(Reading.objects.filter(device_id__in={device.pk for device, _, _, _ in rows},
                                        observed_at__range=(min(times), max(times)))
                 .values_list("device_id", "pollutant_id", "kind", "observed_at"))
    void = void_checker({device.pk for device, _, _, _ in rows}, min(times), max(times))
    invalid = {id(reading) for device, pollutant_id, reading, _ in rows
               if void(device.pk, pollutant_id, reading.observed_at)}
    per_device: Counter = Counter()
    new: list = []
    touched: dict[tuple, list] = defaultdict(list)
    for device, pollutant_id, reading, unit in rows:
        key = (device.pk, pollutant_id, reading.kind, reading.observed_at)
        if key in stored:
            continue
        stored.add(key)
        new.append(Reading(device=device, pollutant_id=pollutant_id, kind=reading.kind,
                           observed_at=reading.observed_at, outlet_id=device.outlet_id, station_id=device.station_id,
                           flag=reading.flag, sampled_at=reading.sampled_at, received_at=now, source=unit.origin,
                           entered_by_id=unit.entered_by_id,
                           **{name: getattr(reading, name) for name in VALUE_FIELDS}))
        per_device[device.pk] += 1
        for period, start in window_starts(reading.observed_at, reading.kind).items():
            touched[(device.outlet_id, device.station_id, pollutant_id, period, start)].append(reading)
    Reading.objects.bulk_create(new, batch_size=500)
    if not touched:
        return dict(per_device)
    direction_id = codebook().ids.get(WIND_DIRECTION)
    existing = {(a.outlet_id, a.station_id, a.pollutant_id, a.period, a.start): a for a in Aggregate.objects.filter(
        start__in={key[4] for key in touched}, pollutant_id__in={key[2] for key in touched})}
    created, updated = [], []
    for key, readings in touched.items():
        best = max(KIND_RANK[r.kind] for r in readings)
        readings = [r for r in readings if KIND_RANK[r.kind] == best]
        agg = existing.get(key)
        if agg is None:
            agg = Aggregate(outlet_id=key[0], station_id=key[1], pollutant_id=key[2], period=key[3], start=key[4],
                            kind=readings[0].kind)
            created.append(agg)
        elif KIND_RANK[agg.kind] > best:
            continue  # a better kind already built this window
        else:
            if KIND_RANK[agg.kind] < best:
                agg.kind, agg.count, agg.valid_count, agg.sum, agg.min, agg.max = readings[0].kind, 0, 0, 0, None, None
                agg.sum_sin = agg.sum_cos = None
            updated.append(agg)
        valid = [r.value for r in readings if r.flag == "N" and r.value is not None and id(r) not in invalid]
        agg.count += len(readings)
        agg.valid_count += len(valid)
        agg.sum += sum(valid)
        agg.avg = agg.sum / agg.valid_count if agg.valid_count else None
        if key[2] == direction_id and valid:
            agg.sum_sin = (agg.sum_sin or 0) + sum(math.sin(math.radians(v)) for v in valid)
            agg.sum_cos = (agg.sum_cos or 0) + sum(math.cos(math.radians(v)) for v in valid)
            agg.avg = math.degrees(math.atan2(agg.sum_sin, agg.sum_cos)) % 360
        agg.min = min([v for v in (agg.min, *valid) if v is not None], default=None)
        agg.max = max([v for v in (agg.max, *valid) if v is not None], default=None)
        agg.updated_at = now
    Aggregate.objects.bulk_create(created, batch_size=500)
    Aggregate.objects.bulk_update(updated, ["kind", "count", "valid_count", "sum", "sum_sin", "sum_cos", "avg", "min",
                                            "max", "updated_at"],
                                  batch_size=500)
    return dict(per_device)


# The reporting interval a data kind shows (minutes): a device reports at least this often.
KIND_INTERVAL = {"realtime": 10, "minute": 10, "hour": 60, "day": 1440}


def _count_packets(units: Sequence[Unit], new_per_device: dict[int, int], now: dt.datetime) -> None:
    """Packet counters, first accepted packet, last contact (any accepted packet), last data (a packet of a
    data command, or readings entered by hand: what the missing-data warning reads, so a logger that only
    sends heartbeats or its running status is still missing data) and the reporting interval learnt from
    the finest data kind a device sends (an hourly-only logger reports every 60 minutes)."""
    packets = Counter(unit.device.pk for unit in units)
    if not packets:
        return
    interval: dict[int, int] = {}
    data: set[int] = set()
    for unit in units:
        pk = unit.device.pk
        packet = unit.outcome.packet if unit.outcome is not None else None
        if (packet.kind is not None) if packet is not None else bool(unit.readings):
            data.add(pk)
        if packet is not None and packet.cn == hj212.DEVICE_INFO_CN:
            continue  # instrument states (CN 3020) come when they change, not at the reporting interval
        # a manual result says nothing of the device's own reporting interval
        kinds = {reading.kind for _, reading in unit.readings} & KIND_INTERVAL.keys()
        if kinds:
            minutes = min(map(KIND_INTERVAL.__getitem__, kinds))
            interval[pk] = min(interval.get(pk, minutes), minutes)
    ids = sorted(packets)
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(
                "UPDATE monitoring_device d SET accepted_packets = d.accepted_packets + v.packets, "
                "stored_readings = d.stored_readings + v.stored, "
                "last_seen_at = CASE WHEN v.data THEN GREATEST(d.last_seen_at, %s) ELSE d.last_seen_at END, "
                "last_contact_at = GREATEST(d.last_contact_at, %s), first_seen_at = COALESCE(d.first_seen_at, %s), "
                "reporting_interval_minutes = LEAST(d.reporting_interval_minutes, v.interval) "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::boolean[]) "
                "AS v(id, packets, stored, interval, data) WHERE d.id = v.id",
                [now, now, now, ids, [packets[i] for i in ids], [new_per_device.get(i, 0) for i in ids],
                 [interval.get(i) for i in ids], [i in data for i in ids]])
        else:
            for pk in ids:
                cur.execute("UPDATE monitoring_device SET accepted_packets = accepted_packets + %s, "
                            "stored_readings = stored_readings + %s, "
                            "last_seen_at = CASE WHEN %s THEN %s ELSE last_seen_at END, last_contact_at = %s, "
                            "first_seen_at = COALESCE(first_seen_at, %s), "
                            "reporting_interval_minutes = COALESCE(MIN(reporting_interval_minutes, %s), %s, "
                            "reporting_interval_minutes) WHERE id = %s",
                            [packets[pk], new_per_device.get(pk, 0), pk in data, now, now, now, interval.get(pk),
                             interval.get(pk), pk])


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
KINDS = frozenset(hj212.DATA_KINDS.values()) | {DataKind.MANUAL}


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
    return mn, ParsedReading(code=code, kind=kind,
                             observed_at=parse_row_time(row["observed_at"], "observed_at"), flag=flag,
                             sampled_at=parse_row_time(sampled, "sampled_at") if sampled else None, **values)


def ingest_rows(rows: Sequence, *, may_post, source: str = "", now: dt.datetime | None = None,
                check_row=None, entered_by=None) -> BulkResult:
    """Validate bulk rows and store them all, or none if any row is refused (then ``errors`` lists every
    refused row, 1-based, with its reason; each is also logged as an IngestRejection).
    ``may_post(device)`` says whether the caller may send data for that device (a device it may not is
    refused exactly like an unknown MN, so the errors reveal no one else's devices);
    ``check_row(device, pollutant_id, reading, now)`` may refuse a row with a ``ProtocolError``. Rows of kind
    ``manual`` are stored as manual entries by ``entered_by``, the others as device data over REST."""
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
    mappings = mappings_for(devices.values())
    by_device: dict[tuple[int, bool], Unit] = {}
    rejections: list[Rejection] = []
    for item, row in zip(parsed, rows):
        if item is None:
            continue
        number, mn, reading = item
        device = devices.get(mn)
        try:
            if device is not None and not may_post(device):
                device = None
            check_device(device, mn, device.password if device else None)
            [(pollutant_id, reading)] = resolve_readings([reading], now, device, mappings)
            if check_row is not None:
                check_row(device, pollutant_id, reading, now)
        except ProtocolError as exc:
            result.errors.append(RowError(number, exc.reason, exc.detail))
            rejections.append(Rejection(exc.reason, exc.detail, str(row), mn, device, source))
            continue
        manual = reading.kind == DataKind.MANUAL
        unit = by_device.setdefault((device.pk, manual), Unit(
            device, [], origin=ReadingSource.MANUAL if manual else ReadingSource.DEVICE_REST,
            entered_by_id=getattr(entered_by, "pk", None) if manual else None))
        unit.readings.append((pollutant_id, reading))
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
