"""JT/T 808 (road transport vehicle terminals ↔ platform) framing and the messages the receiver speaks.

A frame is ``0x7e | header | body | checksum | 0x7e``. Inside it ``0x7e`` is sent as ``0x7d 0x02`` and
``0x7d`` as ``0x7d 0x01``; the checksum is the XOR of every byte of header and body (after unescaping).
Words are big-endian. The header is

* 2013: message id WORD, body attributes WORD (bits 0–9 body length, 10–12 encryption, 13 sub-package),
  terminal phone BCD[6], serial WORD, then (if sub-packaged) packet count WORD and packet index WORD;
* 2019: the same attributes with bit 14 (version flag) set, a protocol version BYTE after them and the
  terminal phone as BCD[10].

Messages handled: terminal registration 0x0100 (answered by 0x8100 with an authentication code),
authentication 0x0102, heartbeat 0x0002, location report 0x0200 and batch location upload 0x0704
(answered by the platform general acknowledgement 0x8001). The location's latitude and longitude are in
1e-6 degrees, speed in 1/10 km/h, the time is BCD[6] ``YYMMDDhhmmss`` in GMT+8. A 0x0704 body is the
item count WORD, the data type BYTE (0 normal batch, 1 blind-area re-send), then per item its length WORD
and a 0x0200 body.

A message longer than one frame is sent in sub-packages (attribute bit 13): each carries the total
packet count and its index (from 1) and consecutive serials. ``Reassembler`` joins them; each packet is
acknowledged, and when the last index came but some are missing the platform asks for them with
0x8003 (the first packet's serial, the count — BYTE in 2013, WORD in 2019 — and the missing indexes as
WORDs). Every rejection raises ``FrameError`` with its reason.
"""
from __future__ import annotations

import struct
import time
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

FLAG, ESC = 0x7E, 0x7D
BEIJING = ZoneInfo("Asia/Shanghai")

REGISTER, AUTHENTICATE, HEARTBEAT, LOCATION, LOCATION_BATCH = 0x0100, 0x0102, 0x0002, 0x0200, 0x0704
REGISTER_ACK, GENERAL_ACK, RESEND_PACKETS = 0x8100, 0x8001, 0x8003

# 0x8001 results
OK, FAILURE, MESSAGE_ERROR, NOT_SUPPORTED = 0, 1, 2, 3
# 0x8100 results
REGISTERED, VEHICLE_TAKEN, NO_SUCH_VEHICLE, TERMINAL_TAKEN, NO_SUCH_TERMINAL = 0, 1, 2, 3, 4

VERSION_FLAG = 1 << 14
SUBPACKAGE_FLAG = 1 << 13
ENCRYPTION_MASK = 0b111 << 10
LENGTH_MASK = 0x3FF
STATUS_POSITIONED, STATUS_SOUTH, STATUS_WEST = 1 << 1, 1 << 2, 1 << 3
MAX_FRAME = 2 * (21 + LENGTH_MASK + 1)  # escaped: every byte may double
LOCATION_SIZE = 28  # the basic location information of a 0x0200 body


class FrameError(ValueError):
    """A frame or message that cannot be accepted; ``reason`` is a short code, ``str()`` the detail.
    ``header`` is set when the header was readable (so the terminal can be told)."""

    def __init__(self, reason: str, detail: str, header: Header | None = None):
        super().__init__(detail)
        self.reason = reason
        self.header = header


@dataclass(frozen=True)
class Header:
    msg_id: int
    phone: str
    serial: int
    version: int | None = None  # None: JT/T 808-2013; otherwise the 2019 protocol version byte
    packet: tuple[int, int] | None = None

    @property
    def is_2019(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class Message:
    header: Header
    body: bytes


@dataclass(frozen=True)
class Location:
    alarm: int
    status: int
    latitude: float
    longitude: float
    altitude: int
    speed_kmh: float
    direction: int
    at: datetime

    @property
    def positioned(self) -> bool:
        return bool(self.status & STATUS_POSITIONED)


# --- bytes ----------------------------------------------------------------------------------------

def escape(data: bytes) -> bytes:
    return data.replace(bytes([ESC]), b"\x7d\x01").replace(bytes([FLAG]), b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        byte = data[i]
        if byte == ESC:
            nxt = data[i + 1] if i + 1 < len(data) else None
            if nxt == 0x01:
                out.append(ESC)
            elif nxt == 0x02:
                out.append(FLAG)
            else:
                raise FrameError("bad_escape", f"0x7d followed by {'nothing' if nxt is None else hex(nxt)} "
                                               f"at byte {i}: only 0x7d 0x01 and 0x7d 0x02 are allowed")
            i += 2
            continue
        out.append(byte)
        i += 1
    return bytes(out)


def checksum(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def bcd_decode(data: bytes) -> str:
    digits = data.hex()
    if not digits.isdigit():
        raise FrameError("bad_bcd", f"not BCD: {digits}")
    return digits


def bcd_encode(digits: str, size: int) -> bytes:
    if not digits.isdigit() or len(digits) > size * 2:
        raise ValueError(f"{digits!r} does not fit BCD[{size}]")
    return bytes.fromhex(digits.rjust(size * 2, "0"))


def phone_digits(bcd: bytes) -> str:
    """The terminal number of a header: BCD digits without the leading zeros of the padding."""
    return bcd_decode(bcd).lstrip("0") or "0"


# --- frames ---------------------------------------------------------------------------------------

def encode(msg_id: int, phone: str, serial: int, body: bytes = b"", version: int | None = None,
           packet: tuple[int, int] | None = None) -> bytes:
    """A complete escaped frame, flags included; ``packet`` (count, index) makes it a sub-package."""
    if len(body) > LENGTH_MASK:
        raise ValueError("body longer than 1023 bytes needs sub-packages")
    attrs = len(body) | (SUBPACKAGE_FLAG if packet else 0)
    if version is None:
        header = struct.pack(">HH", msg_id, attrs) + bcd_encode(phone, 6) + struct.pack(">H", serial)
    else:
        header = struct.pack(">HHB", msg_id, attrs | VERSION_FLAG, version) + bcd_encode(phone, 10) + \
            struct.pack(">H", serial)
    if packet:
        header += struct.pack(">HH", *packet)
    payload = header + body
    return bytes([FLAG]) + escape(payload + bytes([checksum(payload)])) + bytes([FLAG])


def _header(data: bytes) -> tuple[Header, int, int]:
    """(header, header length, declared body length) of unescaped frame content."""
    if len(data) < 12:
        raise FrameError("too_short", f"{len(data)} bytes cannot hold a header")
    msg_id, attrs = struct.unpack_from(">HH", data)
    if attrs & VERSION_FLAG:
        if len(data) < 17:
            raise FrameError("too_short", f"{len(data)} bytes cannot hold a 2019 header")
        version, phone, at = data[4], phone_digits(data[5:15]), 15
    else:
        version, phone, at = None, phone_digits(data[4:10]), 10
    serial = struct.unpack_from(">H", data, at)[0]
    at += 2
    packet = None
    if attrs & SUBPACKAGE_FLAG:
        if len(data) < at + 4:
            raise FrameError("too_short", "sub-package fields missing")
        packet = struct.unpack_from(">HH", data, at)
        at += 4
    header = Header(msg_id, phone, serial, version, packet)
    if attrs & ENCRYPTION_MASK:
        raise FrameError("encrypted", "encrypted bodies (RSA) are not accepted", header)
    return header, at, attrs & LENGTH_MASK


def decode(content: bytes) -> Message:
    """Decode the bytes between two 0x7e flags: unescape, check the checksum and the length."""
    data = unescape(content)
    if len(data) < 13:
        raise FrameError("too_short", f"{len(data)} bytes after unescaping: a frame has at least 13")
    payload, given = data[:-1], data[-1]
    header, at, length = _header(payload)
    expected = checksum(payload)
    if given != expected:
        raise FrameError("bad_checksum", f"checksum {given:#04x}, computed {expected:#04x}", header)
    if len(payload) - at != length:
        raise FrameError("bad_length", f"body has {len(payload) - at} bytes, header says {length}", header)
    return Message(header, payload[at:])


def encode_packets(msg_id: int, phone: str, first_serial: int, body: bytes, version: int | None = None,
                   size: int = LENGTH_MASK) -> list[bytes]:
    """A long message as its sub-package frames of at most ``size`` body bytes, serials consecutive."""
    parts = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    return [encode(msg_id, phone, (first_serial + k) & 0xFFFF, part, version, (len(parts), k + 1))
            for k, part in enumerate(parts)]


class Reassembler:
    """Joins the sub-packages of one terminal connection into whole messages.

    ``add(message)`` gives (the whole message or None, the indexes still missing when the last one came
    or None). The whole message has the completing packet's header without its packet fields. Incomplete
    messages are dropped after ``ttl`` seconds; at most ``max_pending`` wait at once and a message may
    have at most ``max_packets`` packets."""

    def __init__(self, *, ttl: float = 120.0, max_pending: int = 8, max_packets: int = 128, clock=time.monotonic):
        self.ttl, self.max_pending, self.max_packets, self.clock = ttl, max_pending, max_packets, clock
        self.pending: dict[tuple, tuple[float, dict[int, bytes]]] = {}

    def add(self, message: Message) -> tuple[Message | None, list[int] | None]:
        header = message.header
        total, index = header.packet
        if not 1 <= index <= total or total > self.max_packets:
            raise FrameError("bad_packet", f"packet {index} of {total} (at most {self.max_packets})", header)
        now = self.clock()
        self.pending = {k: v for k, v in self.pending.items() if now - v[0] <= self.ttl}
        key = (header.phone, header.msg_id, total, (header.serial - index + 1) & 0xFFFF)
        if key not in self.pending and len(self.pending) >= self.max_pending:
            raise FrameError("too_many_packets", f"{len(self.pending)} sub-packaged messages already incomplete",
                             header)
        _, parts = self.pending.setdefault(key, (now, {}))
        parts[index] = message.body
        self.pending[key] = (now, parts)
        if len(parts) == total:
            del self.pending[key]
            body = b"".join(parts[i] for i in range(1, total + 1))
            return Message(replace(header, packet=None), body), None
        if index == total:
            return None, [i for i in range(1, total + 1) if i not in parts]
        return None, None

    def first_serial(self, header: Header) -> int:
        return (header.serial - header.packet[1] + 1) & 0xFFFF


class FrameSplitter:
    """Cuts a TCP byte stream into frame contents (the bytes between 0x7e flags)."""

    def __init__(self, max_frame: int = MAX_FRAME):
        self.max_frame = max_frame
        self.buffer = bytearray()
        self.in_frame = False

    def feed(self, chunk: bytes) -> tuple[list[bytes], list[FrameError]]:
        frames, errors = [], []
        for part in _split_keep(chunk):
            if part == FLAG:
                if self.in_frame and self.buffer:
                    frames.append(bytes(self.buffer))
                    self.buffer.clear()
                    # the closing flag may also open the next frame ("7e..7e7e..7e" or "7e..7e..7e")
                self.in_frame = True
                continue
            if not self.in_frame:
                errors.append(FrameError("no_flag", f"{len(part)} bytes outside a frame dropped"))
                continue
            self.buffer += part
            if len(self.buffer) > self.max_frame:
                errors.append(FrameError("too_long", f"no closing 0x7e within {self.max_frame} bytes"))
                self.buffer.clear()
                self.in_frame = False
        return frames, errors


def _split_keep(chunk: bytes):
    start = 0
    for i, byte in enumerate(chunk):
        if byte == FLAG:
            if i > start:
                yield chunk[start:i]
            yield FLAG
            start = i + 1
    if start < len(chunk):
        yield chunk[start:]


# --- bodies ---------------------------------------------------------------------------------------

def _gbk(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("gbk", errors="replace").strip()


def parse_registration(message: Message) -> dict:
    """Province, city, maker, model, terminal id, plate colour and plate of a 0x0100 body."""
    body, v2019 = message.body, message.header.is_2019
    sizes = (11, 30, 30) if v2019 else (5, 20, 7)
    fixed = 4 + sum(sizes) + 1
    if len(body) < fixed:
        raise FrameError("bad_body", f"registration body has {len(body)} bytes, needs at least {fixed}",
                         message.header)
    province, city = struct.unpack_from(">HH", body)
    at, fields = 4, []
    for size in sizes:
        fields.append(_gbk(body[at:at + size]))
        at += size
    colour = body[at]
    return {"province": province, "city": city, "maker": fields[0], "model": fields[1], "terminal_id": fields[2],
            "plate_colour": colour, "plate": _gbk(body[at + 1:])}


def parse_authentication(message: Message) -> str:
    """The authentication code of a 0x0102 body (2019: length-prefixed, then IMEI and software version)."""
    body = message.body
    if message.header.is_2019:
        if not body or len(body) < 1 + body[0]:
            raise FrameError("bad_body", "authentication code length exceeds the body", message.header)
        return body[1:1 + body[0]].decode("gbk", errors="replace")
    return _gbk(body)


def bcd_time(data: bytes, header: Header | None = None) -> datetime:
    digits = bcd_decode(data)
    try:
        naive = datetime.strptime(digits, "%y%m%d%H%M%S")
    except ValueError:
        raise FrameError("bad_time", f"BCD time {digits} is not a date and time", header) from None
    return naive.replace(tzinfo=BEIJING)


def parse_location(message: Message) -> Location:
    """The basic location information of a 0x0200 body (additional items are ignored)."""
    return location_of(message.body, message.header)


def location_of(body: bytes, header: Header | None = None) -> Location:
    if len(body) < LOCATION_SIZE:
        raise FrameError("bad_body", f"location body has {len(body)} bytes, needs {LOCATION_SIZE}", header)
    alarm, status, lat, lon, altitude, speed, direction = struct.unpack_from(">IIIIHHH", body)
    latitude, longitude = lat / 1e6, lon / 1e6
    if status & STATUS_SOUTH:
        latitude = -latitude
    if status & STATUS_WEST:
        longitude = -longitude
    return Location(alarm, status, latitude, longitude, struct.unpack(">h", struct.pack(">H", altitude))[0],
                    speed / 10, direction, bcd_time(body[22:28], header))


def parse_location_batch(message: Message) -> tuple[int, list[bytes]]:
    """(data type, the 0x0200 bodies) of a 0x0704 body; a count or a length that does not add up is a
    message error (each item is checked on its own afterwards)."""
    body, header = message.body, message.header
    if len(body) < 3:
        raise FrameError("bad_body", f"batch body has {len(body)} bytes, needs at least 3", header)
    count, kind = struct.unpack_from(">HB", body)
    items, at = [], 3
    while at < len(body):
        if at + 2 > len(body):
            raise FrameError("bad_body", f"item {len(items) + 1}: its length field is cut off", header)
        size = struct.unpack_from(">H", body, at)[0]
        if size < LOCATION_SIZE or at + 2 + size > len(body):
            raise FrameError("bad_body", f"item {len(items) + 1}: length {size} does not fit the body", header)
        items.append(body[at + 2:at + 2 + size])
        at += 2 + size
    if count == 0 or count != len(items):
        raise FrameError("bad_body", f"batch says {count} items, holds {len(items)}", header)
    if kind not in (0, 1):
        raise FrameError("bad_body", f"batch data type {kind} is neither 0 (normal) nor 1 (blind area)", header)
    return kind, items


def location_batch_body(bodies: list[bytes], kind: int = 0) -> bytes:
    """A 0x0704 body from 0x0200 bodies (tests, benchmark)."""
    return struct.pack(">HB", len(bodies), kind) + b"".join(struct.pack(">H", len(b)) + b for b in bodies)


def location_body(*, latitude: float, longitude: float, at: datetime, speed_kmh: float = 0.0, direction: int = 0,
                  altitude: int = 0, alarm: int = 0, positioned: bool = True) -> bytes:
    """A 0x0200 body as a terminal sends it (used by the tests, the benchmark and the demo)."""
    status = (STATUS_POSITIONED if positioned else 0) | (STATUS_SOUTH if latitude < 0 else 0) | \
        (STATUS_WEST if longitude < 0 else 0)
    local = at.astimezone(BEIJING)
    return struct.pack(">IIIIHHH", alarm, status, round(abs(latitude) * 1e6), round(abs(longitude) * 1e6),
                       altitude & 0xFFFF, round(speed_kmh * 10), direction) + \
        bcd_encode(local.strftime("%y%m%d%H%M%S"), 6)


def registration_body(*, plate: str, terminal_id: str = "T000001", maker: str = "70111", model: str = "JT808",
                      province: int = 33, city: int = 483, v2019: bool = False) -> bytes:
    sizes = (11, 30, 30) if v2019 else (5, 20, 7)
    fixed = b"".join(value.encode("ascii")[:size].ljust(size, b"\x00")
                     for value, size in zip((maker, model, terminal_id), sizes))
    return struct.pack(">HH", province, city) + fixed + bytes([1]) + plate.encode("gbk")


def authentication_body(code: str, v2019: bool = False) -> bytes:
    if v2019:
        raw = code.encode("gbk")
        return bytes([len(raw)]) + raw + b"0" * 15 + b"1.0".ljust(20, b"\x00")
    return code.encode("gbk")


def general_ack_body(serial: int, msg_id: int, result: int) -> bytes:
    return struct.pack(">HHB", serial, msg_id, result)


def registration_ack_body(serial: int, result: int, auth_code: str = "") -> bytes:
    return struct.pack(">HB", serial, result) + (auth_code.encode("gbk") if result == REGISTERED else b"")


def resend_request_body(first_serial: int, missing: list[int], v2019: bool = False) -> bytes:
    """A 0x8003 body: the original serial, the count (BYTE, 2019: WORD) and the missing indexes."""
    return struct.pack(">HH" if v2019 else ">HB", first_serial, len(missing)) + \
        b"".join(struct.pack(">H", i) for i in missing)


def parse_ack(message: Message) -> tuple[int, int, int]:
    """(answered serial, answered message id, result) of a 0x8001 (for terminals and tests)."""
    return struct.unpack_from(">HHB", message.body)
