"""The HJ 212 protocol (2005 / 2017 / 2025) as pure functions: framing a TCP byte stream, CRC16,
parsing a data segment into a ``Packet`` and its readings, and building frames and acknowledgements.

No database and no I/O here: ``monitoring.services.ingest`` resolves MN codes and pollutant codes and
stores what this module returns; ``hj212_server`` moves the bytes. Every refusal raises ``ProtocolError``
with a ``reason`` (the same words as ``IngestRejection.Reason``) and a human-readable detail.
It follows HJ 212-2017 (data transmission standard for online monitoring systems of pollutants) and
the 2005 edition it replaced; the docs/architecture.md section on monitoring says where each rule lives.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

HEADER = b"##"
TAIL = b"\r\n"
MAX_DATA_LENGTH = 9999  # the length field has 4 digits; frames over the nominal 1024 do occur
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

DATA_KINDS = {"2011": "realtime", "2051": "minute", "2061": "hour", "2031": "day"}
DEVICE_INFO_CN = "3020"  # upload of on-site device information: ``PolId=w01018;i12001-Info=3;...``
HEARTBEAT_CN = "9015"  # keeps the connection and shows the device alive; nothing to store
TIME_REQUEST_CN = "1013"  # the device asks for the time: answered with a CN 1012 setting it
ACK_CNS = frozenset({"9013", "9014"})  # a device acknowledging what the platform sent: nothing to store
VALUE_SUFFIXES = {"Rtd": "rtd", "Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou",
                  "ZsRtd": "zs_rtd", "ZsAvg": "zs_avg", "ZsMin": "zs_min", "ZsMax": "zs_max"}
DATA_FLAGS = frozenset("NFMSDCTB")
# Suffixes that carry no reading of ours; accepted and ignored.
IGNORED_SUFFIXES = frozenset({"EFlag", "ValidNum", "TotalNum", "Data", "DayData", "NightData",
                              "UpValue", "LowValue"})

# QnRtn codes of a CN 9011 reply (request acknowledgement).
# The normal values of the instrument state codes (HJ 212-2017 appendix): analyser working state i12001
# running / measuring / standby, its link to the logger i12002 and its alarm i12003 normal, the logger's
# own working state i22001 running. Any other value is something the instrument says about itself.
NORMAL_STATES = {"i12001": frozenset({0, 7, 9}), "i12002": frozenset({0}), "i12003": frozenset({0}),
                 "i22001": frozenset({0})}

QNRTN_READY = 1
QNRTN_REJECTED = 2
QNRTN_WRONG_PW = 3
QNRTN_WRONG_MN = 4
QNRTN_WRONG_CN = 8
QNRTN_WRONG_CRC = 9
QNRTN_UNKNOWN = 100

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DIGITS = re.compile(r"[0-9]+")


class ProtocolError(ValueError):
    """A frame or packet that is refused. ``reason`` is one of IngestRejection.Reason's values."""

    def __init__(self, reason: str, detail: str, raw: bytes | str = b""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.raw = raw if isinstance(raw, bytes) else raw.encode("latin-1", "replace")


# --- CRC ------------------------------------------------------------------------------------------

def _rounds(reg: int) -> int:
    for _ in range(8):
        reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


# The eight shift/xor rounds of a register below 256, precomputed (the rounds never look at bits above 7).
_TABLE = tuple(_rounds(n) for n in range(256))
_HIGH = tuple(reg >> 8 for reg in _TABLE)


def crc16(data: bytes) -> int:
    """The HJ 212 CRC16 of a data segment: poly 0xA001, init 0xFFFF, each byte XORed into the register's
    HIGH byte shifted down (``reg = (reg >> 8) ^ byte``, then 8 rounds), not Modbus. Table-driven: after
    ``(reg >> 8) ^ byte`` the register is below 256, so the 8 rounds are one table lookup, and only the
    register's high byte carries on to the next byte (``_HIGH``): the low byte matters for the last only."""
    if not data:
        return 0xFFFF
    high, table = 0xFF, _HIGH
    for byte in data[:-1]:
        high = table[high ^ byte]
    return _TABLE[high ^ data[-1]]


def crc16_modbus_swapped(data: bytes) -> int:
    """CRC-16/MODBUS (byte XORed into the LOW byte) with its two bytes swapped: what some vendors send."""
    reg = 0xFFFF
    table = _TABLE
    for byte in data:
        reg = (reg >> 8) ^ table[(reg ^ byte) & 0xFF]
    return ((reg & 0xFF) << 8) | (reg >> 8)


def check_crc(data: bytes, crc_field: bytes | str, *, allow_swapped: bool = False) -> str:
    """Verify the 4-hex-digit CRC field of ``data`` (case-insensitive). Returns ``"standard"`` or
    ``"swapped"`` (only when ``allow_swapped``); raises ProtocolError(bad_crc) otherwise."""
    text = crc_field.decode("latin-1") if isinstance(crc_field, bytes) else crc_field
    try:
        sent = int(text, 16) if len(text) == 4 and text.isascii() and text.isalnum() else None
    except ValueError:
        sent = None
    if sent is None:
        raise ProtocolError("bad_crc", f"CRC field {text!r} is not 4 hex digits", data)
    expected = crc16(data)
    if sent == expected:
        return "standard"
    if allow_swapped and sent == crc16_modbus_swapped(data):
        return "swapped"
    raise ProtocolError("bad_crc", f"CRC {text.upper()} sent, {expected:04X} computed", data)


# --- Framing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """One frame cut from the stream: the data segment and the CRC field as sent, not yet verified."""

    data: bytes
    crc: bytes


class FrameReader:
    """Cuts ``##LLLL<data>CCCC\\r\\n`` frames out of a TCP byte stream.

    ``feed(chunk)`` returns the frames completed by the chunk and the ProtocolErrors for bytes that
    could not be framed (garbage, bad length field, a frame cut short by the next one, a frame longer
    than ``max_length``). Several frames in one chunk and one frame over several chunks both work.
    ``close()`` reports what is left in the buffer as a truncated frame.
    """

    def __init__(self, max_length: int = MAX_DATA_LENGTH):
        self.max_length = max_length
        self.buffer = bytearray()

    def feed(self, chunk: bytes, max_errors: int | None = None) -> list[Frame | ProtocolError]:
        """The frames and errors ``chunk`` completes; with ``max_errors``, stop cutting after that many
        errors (what is left stays in the buffer: a server closes such a connection anyway)."""
        self.buffer += chunk
        out: list[Frame | ProtocolError] = []
        errors = 0
        while max_errors is None or errors < max_errors:
            item = self._next()
            if item is None:
                break
            out.append(item)
            errors += isinstance(item, ProtocolError)
        return out

    def close(self) -> ProtocolError | None:
        rest = bytes(self.buffer)
        self.buffer.clear()
        if rest.strip():
            if rest.startswith(HEADER):
                return ProtocolError("truncated", f"connection ended inside a frame ({len(rest)} bytes)", rest)
            return ProtocolError("garbage", "bytes that are not a frame", rest)
        return None

    def _drop(self, n: int) -> bytes:
        dropped = bytes(self.buffer[:n])
        del self.buffer[:n]
        return dropped

    def _skip_bad_frame(self) -> bytes:
        """Drop a bad frame: everything up to the next header (or all but a trailing '#')."""
        following = self.buffer.find(HEADER, 2)
        if following < 0:
            following = len(self.buffer) - (1 if self.buffer.endswith(b"#") else 0)
        return self._drop(max(following, 2))

    def _next(self) -> Frame | ProtocolError | None:
        buf = self.buffer
        start = buf.find(HEADER)
        if start < 0:
            # Keep a trailing '#' that may begin the next header; the rest is garbage.
            keep = 1 if buf.endswith(b"#") else 0
            junk = self._drop(len(buf) - keep)
            return ProtocolError("garbage", "bytes that are not a frame", junk) if junk.strip() else None
        if start > 0:
            junk = self._drop(start)
            if junk.strip():
                return ProtocolError("garbage", "bytes before a frame header", junk)
        if len(buf) < 6:
            return None
        length_field = bytes(buf[2:6])
        if not _DIGITS.fullmatch(length_field.decode("latin-1")):
            return ProtocolError("bad_length", f"length field {length_field!r} is not 4 digits", self._skip_bad_frame())
        length = int(length_field)
        if length > self.max_length:
            return ProtocolError("too_long", f"declared length {length} exceeds {self.max_length}",
                                 self._skip_bad_frame())
        end = 6 + length + 4 + 2
        # A CRLF before the declared end means the frame is shorter than its length says.
        early = buf.find(TAIL, 6, min(len(buf), end - 2))
        if early >= 0:
            raw = self._drop(early + 2)
            return ProtocolError("bad_length", f"frame ends after {early - 10} data chars, length says {length}", raw)
        if len(buf) < end:
            return None
        if buf[end - 2:end] != TAIL:
            return ProtocolError("bad_length", f"no CRLF where length {length} puts the end of the frame",
                                 self._skip_bad_frame())
        frame = Frame(data=bytes(buf[6:6 + length]), crc=bytes(buf[6 + length:6 + length + 4]))
        self._drop(end)
        return frame


def build_frame(data: str) -> bytes:
    """Frame a data segment: ``##`` + length + data + CRC (upper-case hex) + CRLF."""
    raw = data.encode("latin-1")
    if len(raw) > MAX_DATA_LENGTH:
        raise ValueError(f"data segment of {len(raw)} chars does not fit the 4-digit length field")
    return b"##%04d%s%04X\r\n" % (len(raw), raw, crc16(raw))


# --- Packets --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Packet:
    """A parsed data segment. ``items`` maps each code as sent to its suffixes and raw values;
    ``params`` holds the other CP keys (DataTime, RtdInterval, QnRtn, a standalone Flag …);
    ``problems`` the CP tokens a lenient parse could not read (token, why); ``infos`` the ``-Info`` items
    (CN 3020) in order, each with the ``PolId`` (the analyser) it follows: (pol_id or None, code, value)."""

    cn: str
    mn: str
    qn: str | None = None
    st: str | None = None
    pw: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: tuple[tuple[str, str], ...] = ()
    infos: tuple[tuple[str | None, str, str], ...] = ()

    @property
    def wants_ack(self) -> bool:
        return self.flag is not None and bool(self.flag & 1)

    @property
    def version(self) -> str:
        """Protocol version from the Flag V bits: "2005" when Flag is missing or V=0."""
        bits = (self.flag or 0) >> 2
        return {0: "2005", 1: "2017", 2: "2025"}.get(bits, str(bits))

    @property
    def kind(self) -> str | None:
        """The data kind for CN 2011/2051/2061/2031, else None (not data we store)."""
        return DATA_KINDS.get(self.cn)


HEADER_KEYS = {"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"}


_BLANKS = (" ", "\t", "\r", "\n", "\x0b", "\x0c")


def _pairs(tokens: list[str], raw: str, problems: list | None = None) -> list[Sequence[str]]:
    """``key=value`` tokens; one that is not is refused, or noted in ``problems`` when given."""
    if not any(blank in raw for blank in _BLANKS):  # nearly every packet: nothing to strip
        pairs = [token.split("=", 1) for token in tokens if "=" in token and token[0] != "="]
        if len(pairs) == len(tokens):
            return pairs
    pairs = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        key, sep, value = token.partition("=")
        if not sep or not key:
            if problems is None:
                raise ProtocolError("bad_field", f"{token[:40]!r} is not key=value", raw)
            problems.append((token[:100], "not key=value"))
            continue
        pairs.append((key.strip(), value.strip()))
    return pairs


def _int_field(name: str, value: str, raw: str) -> int:
    if not _DIGITS.fullmatch(value):
        raise ProtocolError("bad_field", f"{name}={value[:20]!r} is not a number", raw)
    return int(value)


def parse_packet(data: bytes | str, *, lenient: bool = False) -> Packet:
    """Parse a data segment (``QN=..;ST=..;CN=..;PW=..;MN=..;Flag=..;CP=&&..&&``) into a Packet.
    Lenient where real senders differ (missing closing ``&&``, ``,`` or ``;`` inside CP, lower-case
    data flags), strict where a value would be ambiguous (conflicting duplicate keys). With
    ``lenient`` (a CRC-valid packet of a registered device, which is never thrown away) CP tokens that
    cannot be read are kept in ``problems`` (the first of conflicting duplicates wins); the header
    must still be readable."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    cp_at = text.find("CP=")
    if cp_at < 0:
        raise ProtocolError("bad_field", "no CP= field", text)
    head: dict[str, str] = {}
    for key, value in _pairs(text[:cp_at].split(";"), text):
        if key not in HEADER_KEYS:
            raise ProtocolError("bad_field", f"unknown header field {key[:20]!r}", text)
        if key in head and head[key] != value:
            raise ProtocolError("bad_field", f"header field {key} given twice", text)
        head[key] = value
    for required in ("CN", "MN"):
        if not head.get(required):
            raise ProtocolError("bad_field", f"no {required} field", text)
    cn = head["CN"]
    if not (len(cn) == 4 and cn.isdigit()):
        raise ProtocolError("bad_field", f"CN={cn[:20]!r} is not a 4-digit command", text)
    cp = text[cp_at + 3:]
    if cp.startswith("&&"):
        cp = cp[2:]
    if cp.endswith("&&"):
        cp = cp[:-2]
    params: dict[str, str] = {}
    items: dict[str, dict[str, str]] = {}
    problems: list[tuple[str, str]] | None = [] if lenient else None
    infos: list[tuple[str | None, str, str]] = []
    pol_id = None
    for key, value in _pairs(re.split(r"[;,]", cp), text, problems):
        code, dash, suffix = key.partition("-")
        if key == "PolId" and cn == DEVICE_INFO_CN:  # the analyser the next -Info items describe (may be several)
            pol_id = value or None
            continue
        if dash and code and suffix == "Info":
            infos.append((pol_id, code, value))
            continue
        slot = items.setdefault(code, {}) if dash and code and suffix else params
        name = suffix if slot is not params else key
        if slot.get(name, value) != value:
            if problems is None:
                raise ProtocolError("bad_field", f"{key} given twice with different values", text)
            problems.append((f"{key}={value}"[:100], "given twice with different values"))
            continue
        slot[name] = value
    return Packet(
        cn=cn, mn=head["MN"], qn=head.get("QN") or None, st=head.get("ST") or None, pw=head.get("PW"),
        flag=_int_field("Flag", head["Flag"], text) if head.get("Flag") else None,
        pnum=_int_field("PNUM", head["PNUM"], text) if head.get("PNUM") else None,
        pno=_int_field("PNO", head["PNO"], text) if head.get("PNO") else None,
        params=params, items=items, problems=tuple(problems or ()), infos=tuple(infos),
    )


# --- Readings -------------------------------------------------------------------------------------

@dataclass(slots=True)
class ParsedReading:
    """One pollutant's values from a data packet (``code`` as sent until ingestion maps it). Not frozen:
    a frozen dataclass is built 3.5 times slower, and ingestion builds one per item of every packet."""

    code: str
    kind: str
    observed_at: datetime
    flag: str = "N"
    sampled_at: datetime | None = None
    rtd: float | None = None
    avg: float | None = None
    min: float | None = None
    max: float | None = None
    cou: float | None = None
    zs_rtd: float | None = None
    zs_avg: float | None = None
    zs_min: float | None = None
    zs_max: float | None = None

    @property
    def value(self) -> float | None:
        """The value compared with limits: the converted (Zs) value when sent, else Rtd / Avg."""
        if self.kind == "realtime":
            return self.zs_rtd if self.zs_rtd is not None else self.rtd
        return self.zs_avg if self.zs_avg is not None else self.avg


@dataclass(frozen=True)
class UnreadItem:
    """An item of a data packet that cannot become a reading as it is: its values as sent and why
    (``reason`` as in ProtocolError: bad_time, bad_number, bad_field)."""

    code: str
    kind: str
    observed_at: datetime | None
    values: dict[str, str]
    reason: str
    detail: str

    def error(self) -> ProtocolError:
        return ProtocolError(self.reason, self.detail)


# No HJ 212 data type is wider than N13 (13 integer digits): a value this large is a broken sender.
MAX_MAGNITUDE = 1e15


_NUMERIC_TYPE = re.compile(r"N(\d{1,2})(?:\.\d{1,2})?")
# The values a code's data type bounds: the concentration and its converted form, not the interval's
# cumulative emission (-Cou), which is counted in the code's emission unit (kg, m³) and not by its type.
TYPED_FIELDS = ("rtd", "avg", "min", "max", "zs_rtd", "zs_avg", "zs_min", "zs_max")


def type_bound(data_type: str) -> float | None:
    """The bound on a value of a code's data type: ``N5.2`` (up to 5 integer digits) holds magnitudes under
    1e5. None for character and time types and for codes without a type (only ``MAX_MAGNITUDE`` then)."""
    match = _NUMERIC_TYPE.fullmatch((data_type or "").strip())
    return 10.0 ** int(match.group(1)) if match else None


def range_problem(reading: ParsedReading, bound: float | None) -> str:
    """Why a reading's values do not fit its code's data type (``type_bound``), or "" when they do."""
    if bound is None:
        return ""
    for name in TYPED_FIELDS:
        number = getattr(reading, name)
        if number is not None and not abs(number) < bound:
            return f"{name}={format_number(number)[:20]} is out of the range of the code's data type (< {bound:.0e})"
    return ""


def _plain_number(text: str) -> float | None:
    """Most values are digits with a point (``35.123``): read without the regex; None for the others."""
    if text.isascii() and text.replace(".", "", 1).isdigit():
        number = float(text)
        if number < MAX_MAGNITUDE:
            return number
    return None


def parse_number(text: str, what: str = "value") -> float:
    """A decimal number as sent (``12.5``, ``-0.3``, ``1e-3``); anything else is a bad_number."""
    number = _plain_number(text)
    return _checked_number(text, what) if number is None else number


def _checked_number(text: str, what: str) -> float:
    """``parse_number`` for what is not digits with a point: by the regex, refused with its reason."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ProtocolError("bad_number", f"{what}={text[:20]!r} is not a number")
    number = float(text)
    if not abs(number) < MAX_MAGNITUDE:  # inf too; a sum of a day of such values still fits a double
        raise ProtocolError("bad_number", f"{what}={text[:20]!r} is out of range")
    return number


def parse_time(text: str, what: str = "DataTime", tz: tzinfo = DEFAULT_TZ) -> datetime:
    """``YYYYMMDDhhmmss`` (or with 3 more millisecond digits) in local time, made aware in ``tz``."""
    text = text.strip()
    if not (_DIGITS.fullmatch(text) and len(text) in (14, 17)):
        raise ProtocolError("bad_time", f"{what}={text[:20]!r} is not YYYYMMDDhhmmss")
    try:  # the fields by position (strptime took a fifth of a packet's parse)
        return datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]),
                        int(text[12:14]), int(text[14:] or 0) * 1000, tzinfo=tz)
    except ValueError:
        raise ProtocolError("bad_time", f"{what}={text!r} is not a valid time") from None


def _item_fields(sent_code: str, values: Mapping[str, str], default_flag: str, tz: tzinfo) -> dict | None:
    """The reading fields of one item, None when it carries no reading; raises ProtocolError."""
    fields: dict = {}
    for suffix, text in values.items():
        if (name := VALUE_SUFFIXES.get(suffix)) is not None:
            number = _plain_number(text)  # the field's name is built only for a refusal
            fields[name] = _checked_number(text, f"{sent_code}-{suffix}") if number is None else number
        elif suffix == "Flag":
            fields["flag"] = text.upper()
        elif suffix == "SampleTime":
            fields["sampled_at"] = parse_time(text, f"{sent_code}-SampleTime", tz)
        elif suffix not in IGNORED_SUFFIXES:
            raise ProtocolError("bad_field", f"unknown data item {sent_code}-{suffix[:20]}")
    if not (fields.keys() & _VALUE_FIELDS) and "flag" not in fields:
        return None  # only equipment flags or sample counts: nothing to store
    flag = fields.setdefault("flag", default_flag)
    if flag not in DATA_FLAGS:
        raise ProtocolError("bad_field", f"{sent_code}-Flag={flag[:5]!r} is not a data flag (N F M S D C T B)")
    return fields


_VALUE_FIELDS = frozenset(VALUE_SUFFIXES.values())
ANALYSER_STATE_CODES = frozenset({"i12001", "i12002", "i12003"})  # what an analyser says of itself


@dataclass(frozen=True)
class AnalyserState:
    """One analyser's state code in a CN 3020 upload: ``PolId=w21003;i12001-Info=3`` is the ammonia
    analyser calibrating (``analyser`` and ``code`` as sent)."""

    analyser: str
    code: str
    state: int
    observed_at: datetime


def _numeric_infos(packet: Packet):
    """The ``-Info`` items of a CN 3020 upload that are numbers: (PolId or None, code, value)."""
    for pol_id, code, text in packet.infos:
        try:
            yield pol_id, code, parse_number(text, f"{code}-Info")
        except ProtocolError:
            continue


def analyser_states(packet: Packet, observed_at: datetime) -> list[AnalyserState]:
    """The state codes (``ANALYSER_STATE_CODES``) of a CN 3020 upload that follow a ``PolId``: each
    concerns that analyser's readings only. Values that are not whole numbers are left out."""
    out = {}
    for pol_id, code, value in _numeric_infos(packet):
        if pol_id is not None and code in ANALYSER_STATE_CODES and value == int(value):
            out.setdefault((pol_id, code), AnalyserState(pol_id, code, int(value), observed_at))
    return list(out.values())


def device_infos(packet: Packet, observed_at: datetime) -> list[ParsedReading]:
    """The numeric ``-Info`` items of a CN 3020 upload that are not one analyser's state
    (``analyser_states``) as real-time readings at its DataTime, codes as sent: the states sent without
    a ``PolId`` (outlet-wide: the logger's ``i22001``, an ``i12001`` naming no analyser) and the
    parameters ``i13…``. Text items (logs ``i11001``, calibration times) are device information, not
    values, and are left out. A code given for several analysers keeps its first value."""
    kept: dict[str, float] = {}
    for pol_id, code, value in _numeric_infos(packet):
        if pol_id is None or code not in ANALYSER_STATE_CODES:
            kept.setdefault(code, value)
    return [ParsedReading(code=code, kind="realtime", observed_at=observed_at, rtd=value)
            for code, value in kept.items()]


def read_items(packet: Packet, tz: tzinfo = DEFAULT_TZ) -> tuple[list[ParsedReading], list[UnreadItem]]:
    """Every item of a data packet (CN 2011/2051/2061/2031), codes as sent: the readable ones as
    readings, the others (bad number, unknown suffix or flag, missing or bad DataTime, CP tokens the
    parse could not read) as UnreadItems with their values as sent. A CN 3020 upload gives its
    instrument states and parameters (``device_infos``). ``([], [])`` for other commands."""
    kind = packet.kind
    if packet.cn == DEVICE_INFO_CN and packet.infos:
        try:
            return device_infos(packet, parse_time(packet.params.get("DataTime", ""), tz=tz)), []
        except ProtocolError as exc:
            return [], [UnreadItem(code, "realtime", None, {"Info": text}, exc.reason, exc.detail)
                        for _pol_id, code, text in packet.infos]
    if kind is None:
        return [], []
    unread = [UnreadItem("CP", kind, None, {"token": token}, "bad_field", why) for token, why in packet.problems]
    try:
        if "DataTime" not in packet.params:
            raise ProtocolError("bad_time", f"CN {packet.cn} packet without DataTime")
        observed_at = parse_time(packet.params["DataTime"], tz=tz)
    except ProtocolError as exc:
        unread += [UnreadItem(code, kind, None, dict(values), exc.reason, exc.detail)
                   for code, values in packet.items.items()]
        return [], unread
    default_flag = packet.params.get("Flag", "N").upper()
    out = []
    for sent_code, values in packet.items.items():
        try:
            fields = _item_fields(sent_code, values, default_flag, tz)
        except ProtocolError as exc:
            unread.append(UnreadItem(sent_code, kind, observed_at, dict(values), exc.reason, exc.detail))
            continue
        if fields is not None:
            out.append(ParsedReading(code=sent_code, kind=kind, observed_at=observed_at, **fields))
    return out, unread


def readings(packet: Packet, code_map: Mapping[str, str] | None = None, tz: tzinfo = DEFAULT_TZ
             ) -> list[ParsedReading]:
    """The readings of a data packet, all or nothing (the strict reading of ``read_items``).

    ``code_map`` maps 2005 codes to 2017 codes; 2017 codes pass through. Raises ProtocolError on a
    missing/bad DataTime, a bad number, an unknown data flag or a code given both in its 2005 and its
    2017 form."""
    found, unread = read_items(packet, tz)
    if unread:
        raise unread[0].error()
    code_map = code_map or {}
    out: dict[str, ParsedReading] = {}
    for reading in found:
        code = code_map.get(reading.code, reading.code)
        if code in out:
            raise ProtocolError("bad_field", f"pollutant {code} given twice (2005 and 2017 codes?)")
        out[code] = replace(reading, code=code)
    return list(out.values())


# --- Building packets and replies -----------------------------------------------------------------

def format_number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def data_segment(*, cn: str, mn: str, cp: str = "", qn: str | None = None, st: str | None = "32",
                 pw: str | None = "123456", flag: int | None = 4, pnum: int | None = None,
                 pno: int | None = None) -> str:
    """A data segment in the standard field order; fields given as None are left out."""
    parts = [f"QN={qn}" if qn else None, f"ST={st}" if st else None, f"CN={cn}",
             f"PW={pw}" if pw is not None else None, f"MN={mn}",
             f"Flag={flag}" if flag is not None else None,
             f"PNUM={pnum}" if pnum is not None else None, f"PNO={pno}" if pno is not None else None]
    return ";".join(p for p in parts if p) + f";CP=&&{cp}&&"


def data_cp(data_time: datetime, items: Mapping[str, Mapping[str, float | str]]) -> str:
    """The CP of a data upload: ``DataTime=...;code-Suffix=v,code-Suffix=v;...``."""
    groups = [f"DataTime={data_time:%Y%m%d%H%M%S}"]
    for code, values in items.items():
        groups.append(",".join(f"{code}-{suffix}={value if isinstance(value, str) else format_number(value)}"
                               for suffix, value in values.items()))
    return ";".join(groups)


def data_ack(packet: Packet) -> bytes:
    """CN 9014 data acknowledgement echoing the upload's QN (send only when ``packet.wants_ack``)."""
    return build_frame(data_segment(cn="9014", mn=packet.mn, qn=packet.qn, st="91", pw=packet.pw or "",
                                    flag=4, cp=""))


def request_ack(packet: Packet, qn_rtn: int) -> bytes:
    """CN 9011 request acknowledgement with ``QnRtn`` (1 ready, 3 wrong PW, 4 wrong MN, 9 wrong CRC, …)."""
    return build_frame(data_segment(cn="9011", mn=packet.mn, qn=packet.qn, st="91", pw=packet.pw or "",
                                    flag=4, cp=f"QnRtn={qn_rtn}"))


def time_set(packet: Packet, when: datetime) -> bytes:
    """CN 1012 (set the device's clock to ``when``, local time), the answer to a time-calibration request
    (CN 1013): same ST, PW, MN and protocol version, a new QN, a reply asked for; the analyser's ``PolId``
    when the request named one."""
    local = when.astimezone(DEFAULT_TZ)
    flag = ((packet.flag or 0) & ~0b11) | 1
    cp = f"SystemTime={local:%Y%m%d%H%M%S}"
    if packet.params.get("PolId"):
        cp = f"PolId={packet.params['PolId']};{cp}"
    return build_frame(data_segment(cn="1012", mn=packet.mn, qn=f"{local:%Y%m%d%H%M%S}{local.microsecond // 1000:03d}",
                                    st=packet.st or "32", pw=packet.pw or "", flag=flag, cp=cp))


QNRTN_BY_REASON = {"bad_crc": QNRTN_WRONG_CRC, "wrong_pw": QNRTN_WRONG_PW, "unknown_mn": QNRTN_WRONG_MN,
                   "inactive": QNRTN_WRONG_MN, "unsupported": QNRTN_WRONG_CN}
