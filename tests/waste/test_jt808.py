"""JT/T 808: the codec on frames built byte by byte from the spec (escaping, checksum, BCD phone and
time, coordinates in 1e-6 degrees, 2013 and 2019 headers), and the TCP receiver over a real socket:
registration, authentication, heartbeat, location reports stored once and acknowledged with 0x8001;
bad frames, checksums, coordinates and times refused with their reason logged."""
import asyncio
import datetime as dt
import logging
import socket
import struct
import threading

import pytest

from waste import jt808
from waste.jt808_server import Server
from waste.models import GpsPoint, Vehicle

BEIJING = dt.timezone(dt.timedelta(hours=8))


def xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


# --- codec ------------------------------------------------------------------------------------------

def test_escaping_follows_the_spec_example():
    assert jt808.escape(bytes([0x30, 0x7E, 0x08, 0x7D, 0x55])) == bytes([0x30, 0x7D, 0x02, 0x08, 0x7D, 0x01, 0x55])
    assert jt808.unescape(bytes([0x30, 0x7D, 0x02, 0x08, 0x7D, 0x01, 0x55])) == bytes([0x30, 0x7E, 0x08, 0x7D, 0x55])
    with pytest.raises(jt808.FrameError) as exc:
        jt808.unescape(b"\x30\x7d\x03")
    assert exc.value.reason == "bad_escape"


def hand_made_location_2013() -> bytes:
    """A 0x0200 of terminal 013905730001, serial 0x007e (so the header itself needs escaping), at
    30.626471 N 120.524380 E, 52 m, 48.6 km/h, 95°, 2026-11-20 09:15:30 Beijing time, alarm bit 1."""
    body = bytes.fromhex("00000002" "00000003" "01D352A7" "072F0E5C" "0034" "01E6" "005F" "261120091530")
    header = bytes.fromhex("0200") + struct.pack(">H", len(body)) + bytes.fromhex("013905730001") + b"\x00\x7e"
    payload = header + body
    raw = payload + bytes([xor(payload)])
    return b"\x7e" + raw.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02") + b"\x7e"


def test_a_hand_made_2013_location_report_decodes():
    frame = hand_made_location_2013()
    assert b"\x7d\x02" in frame  # the serial 0x007e went out escaped
    splitter = jt808.FrameSplitter()
    contents, errors = splitter.feed(frame[:9])
    assert contents == [] and errors == []
    contents, errors = splitter.feed(frame[9:])
    assert len(contents) == 1 and not errors
    message = jt808.decode(contents[0])
    assert (message.header.msg_id, message.header.phone, message.header.serial) == (0x0200, "13905730001", 0x7E)
    assert not message.header.is_2019
    loc = jt808.parse_location(message)
    assert loc.latitude == pytest.approx(30.626471) and loc.longitude == pytest.approx(120.524380)
    assert (loc.altitude, loc.speed_kmh, loc.direction, loc.alarm, loc.positioned) == (52, 48.6, 95, 2, True)
    assert loc.at == dt.datetime(2026, 11, 20, 9, 15, 30, tzinfo=BEIJING)
    assert loc.at.utcoffset() == dt.timedelta(hours=8)


def test_the_2019_header_has_the_version_flag_and_a_ten_byte_phone():
    frame = jt808.encode(0x0002, "13905730001", 7, b"", version=1)
    message = jt808.decode(frame[1:-1])
    attrs = struct.unpack(">H", jt808.unescape(frame[1:-1])[2:4])[0]
    assert attrs & (1 << 14)
    assert jt808.unescape(frame[1:-1])[5:15] == bytes.fromhex("00000000013905730001")
    assert (message.header.version, message.header.phone, message.header.serial) == (1, "13905730001", 7)


def test_south_and_west_come_from_the_status_bits():
    at = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    body = jt808.location_body(latitude=-33.8688, longitude=-70.6693, at=at)
    loc = jt808.parse_location(jt808.decode(jt808.encode(0x0200, "1", 1, body)[1:-1]))
    assert (loc.latitude, loc.longitude) == (-33.8688, -70.6693) and loc.at == at


@pytest.mark.parametrize("mangle, reason", [
    (lambda raw: raw[:-2] + bytes([raw[-2] ^ 0x01]) + raw[-1:], "bad_checksum"),
    (lambda raw: raw[:3] + b"\x7d\x05" + raw[3:], "bad_escape"),
    (lambda raw: raw[:6], "too_short"),
])
def test_broken_frames_are_refused_with_their_reason(mangle, reason):
    frame = jt808.encode(0x0002, "13905730001", 9)
    with pytest.raises(jt808.FrameError) as exc:
        jt808.decode(mangle(frame[1:-1]))
    assert exc.value.reason == reason


def test_a_wrong_length_and_a_bad_bcd_time_are_refused():
    payload = bytes.fromhex("0002" "0005" "013905730001" "0001")  # says 5 body bytes, has none
    with pytest.raises(jt808.FrameError) as exc:
        jt808.decode(payload + bytes([xor(payload)]))
    assert exc.value.reason == "bad_length"
    body = bytes.fromhex("00000000" "00000002" "01D35167" "072F0A2C" "0000" "0000" "0000" "261340251530")
    with pytest.raises(jt808.FrameError) as exc:
        jt808.parse_location(jt808.decode(jt808.encode(0x0200, "1", 1, body)[1:-1]))
    assert exc.value.reason == "bad_time"


# --- the TCP receiver -------------------------------------------------------------------------------

@pytest.fixture
def server(transactional_db):
    srv = Server("127.0.0.1", 0, read_timeout=5, max_bad_frames=50)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    yield srv
    srv.stop(loop)
    thread.join(10)
    loop.close()


@pytest.fixture
def truck(transactional_db):
    from tests import factories as f

    return Vehicle.objects.create(plate="浙F12345", carrier=f.enterprise())


class Terminal:
    """A JT/T 808 terminal over a real socket."""

    def __init__(self, port: int, phone: str = "13905730001", version: int | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.phone, self.version, self.serial = phone, version, 0
        self.splitter = jt808.FrameSplitter()
        self.inbox: list[jt808.Message] = []

    def send(self, msg_id: int, body: bytes = b"", raw: bytes | None = None) -> int:
        self.serial += 1
        self.sock.sendall(raw if raw is not None else jt808.encode(msg_id, self.phone, self.serial, body, self.version))
        return self.serial

    def replies(self, count: int) -> list[jt808.Message]:
        while len(self.inbox) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            contents, _ = self.splitter.feed(chunk)
            self.inbox += [jt808.decode(c) for c in contents]
        out, self.inbox = self.inbox[:count], self.inbox[count:]
        return out

    def login(self, plate: str = "浙F12345") -> str:
        self.send(jt808.REGISTER, jt808.registration_body(plate=plate, v2019=self.version is not None))
        (reply,) = self.replies(1)
        assert reply.header.msg_id == jt808.REGISTER_ACK
        serial, result = struct.unpack_from(">HB", reply.body)
        assert (serial, result) == (self.serial, jt808.REGISTERED)
        code = reply.body[3:].decode()
        self.send(jt808.AUTHENTICATE, jt808.authentication_body(code, v2019=self.version is not None))
        (ack,) = self.replies(1)
        assert jt808.parse_ack(ack) == (self.serial, jt808.AUTHENTICATE, jt808.OK)
        return code

    def close(self):
        self.sock.close()


def now_beijing() -> dt.datetime:
    return dt.datetime.now(BEIJING).replace(microsecond=0)


@pytest.mark.parametrize("version", [None, 1], ids=["2013", "2019"])
def test_register_authenticate_and_report_positions(server, truck, version):
    terminal = Terminal(server.port, version=version)
    try:
        code = terminal.login()
        truck.refresh_from_db()
        assert truck.terminal_phone == "13905730001" and truck.auth_code == code
        heartbeat = terminal.send(jt808.HEARTBEAT)
        assert jt808.parse_ack(terminal.replies(1)[0]) == (heartbeat, jt808.HEARTBEAT, jt808.OK)

        start = now_beijing() - dt.timedelta(minutes=10)
        frames = b"".join(jt808.encode(jt808.LOCATION, terminal.phone, 100 + k, jt808.location_body(
            latitude=30.6 + k / 1000, longitude=120.45 + k / 1000, at=start + dt.timedelta(minutes=k),
            speed_kmh=42.5, direction=45), version) for k in range(5))
        terminal.sock.sendall(frames)
        replies = terminal.replies(5)
        assert [jt808.parse_ack(m) for m in replies] == [(100 + k, jt808.LOCATION, jt808.OK) for k in range(5)]
        assert {(m.header.msg_id, m.header.version, m.header.phone) for m in replies} == \
            {(jt808.GENERAL_ACK, version, "13905730001")}  # answered in the terminal's own header version
        terminal.sock.sendall(frames)  # the terminal resends (it missed the acks): stored once
        assert [a[2] for a in map(jt808.parse_ack, terminal.replies(5))] == [jt808.OK] * 5
    finally:
        terminal.close()
    points = list(GpsPoint.objects.filter(vehicle=truck).order_by("at"))
    assert len(points) == 5
    assert (points[0].latitude, points[0].longitude, points[0].speed, points[0].direction) == (30.6, 120.45, 42.5, 45)
    assert points[0].at == start and points[0].source == "jt808"


def test_bad_positions_and_frames_are_refused_and_logged(server, truck, caplog):
    caplog.set_level(logging.INFO, logger="waste.jt808_server")
    terminal = Terminal(server.port)
    try:
        before = terminal.send(jt808.LOCATION, jt808.location_body(latitude=30.6, longitude=120.45,
                                                                   at=now_beijing()))
        assert jt808.parse_ack(terminal.replies(1)[0]) == (before, jt808.LOCATION, jt808.FAILURE)
        terminal.login()
        cases = [
            (dict(latitude=91.5, longitude=120.45, at=now_beijing()), "bad_coordinates"),
            (dict(latitude=48.85, longitude=2.35, at=now_beijing()), "outside_china"),
            (dict(latitude=30.6, longitude=120.45, at=now_beijing() + dt.timedelta(hours=2)), "future_time"),
            (dict(latitude=30.6, longitude=120.45, at=now_beijing(), positioned=False), "no_fix"),
        ]
        for fields, reason in cases:
            serial = terminal.send(jt808.LOCATION, jt808.location_body(**fields))
            assert jt808.parse_ack(terminal.replies(1)[0]) == (serial, jt808.LOCATION, jt808.MESSAGE_ERROR), reason
            assert reason in caplog.text
        good = jt808.encode(jt808.LOCATION, terminal.phone, 77, jt808.location_body(latitude=30.6, longitude=120.45,
                                                                                  at=now_beijing()))
        broken = good[:-2] + bytes([good[-2] ^ 0x5A]) + good[-1:]
        if 0x7E in broken[1:-1] or broken[-2] == 0x7D:
            broken = good[:-2] + bytes([good[-2] ^ 0x11]) + good[-1:]
        terminal.send(0, raw=broken)
        reply = terminal.replies(1)[0]
        assert jt808.parse_ack(reply) == (77, jt808.LOCATION, jt808.MESSAGE_ERROR)
        assert "bad_checksum" in caplog.text
        terminal.send(0, raw=b"\x7e\x00\x02\x7e")  # a stub of a frame
        unknown = terminal.send(0x0900, b"\x01")
        assert jt808.parse_ack(terminal.replies(1)[0]) == (unknown, 0x0900, jt808.NOT_SUPPORTED)
        assert "too_short" in caplog.text
    finally:
        terminal.close()
    assert GpsPoint.objects.count() == 0


def test_bytes_before_the_first_flag_are_dropped_and_logged(server, truck, caplog):
    caplog.set_level(logging.INFO, logger="waste.jt808_server")
    terminal = Terminal(server.port)
    try:
        noise = b"GET / HTTP/1.1\r\n"
        serial = terminal.send(jt808.HEARTBEAT, raw=noise + jt808.encode(jt808.HEARTBEAT, terminal.phone, 5))
        assert jt808.parse_ack(terminal.replies(1)[0]) == (5, jt808.HEARTBEAT, jt808.OK)
        assert serial == 1 and "no_flag" in caplog.text
    finally:
        terminal.close()


def test_an_unknown_vehicle_is_not_registered(server, truck):
    terminal = Terminal(server.port, phone="13900000000")
    try:
        terminal.send(jt808.REGISTER, jt808.registration_body(plate="浙A00000"))
        reply = terminal.replies(1)[0]
        assert struct.unpack_from(">HB", reply.body)[1] == jt808.NO_SUCH_VEHICLE and len(reply.body) == 3
        serial = terminal.send(jt808.AUTHENTICATE, jt808.authentication_body("guess"))
        assert jt808.parse_ack(terminal.replies(1)[0]) == (serial, jt808.AUTHENTICATE, jt808.FAILURE)
    finally:
        terminal.close()


# --- batch upload 0x0704 and sub-packages -----------------------------------------------------------

def test_a_hand_made_batch_upload_decodes():
    """0x0704 of two blind-area positions: count WORD 2, type BYTE 1, then length WORD + 0x0200 body each."""
    first = bytes.fromhex("00000000" "00000003" "01D352A7" "072F0E5C" "0034" "01E6" "005F" "261120091530")
    second = bytes.fromhex("00000000" "00000003" "01D35A77" "072F162C" "0035" "0000" "0000" "261120091630")
    body = bytes.fromhex("0002" "01") + b"\x00\x1c" + first + b"\x00\x1c" + second
    assert jt808.location_batch_body([first, second], kind=1) == body
    message = jt808.decode(jt808.encode(jt808.LOCATION_BATCH, "13905730001", 9, body)[1:-1])
    kind, items = jt808.parse_location_batch(message)
    assert kind == 1 and items == [first, second]
    locs = [jt808.location_of(item) for item in items]
    assert [loc.latitude for loc in locs] == [pytest.approx(30.626471), pytest.approx(30.628471)]
    assert locs[1].at == dt.datetime(2026, 11, 20, 9, 16, 30, tzinfo=BEIJING) and locs[1].speed_kmh == 0
    for broken, why in [(bytes.fromhex("0003" "00") + body[3:], "3 items"), (body[:-3], "does not fit"),
                        (bytes.fromhex("0002" "07") + body[3:], "data type 7")]:
        with pytest.raises(jt808.FrameError) as exc:
            jt808.parse_location_batch(jt808.Message(message.header, broken))
        assert exc.value.reason == "bad_body" and why in str(exc.value)


def test_sub_packages_carry_count_and_index_and_are_joined():
    body = bytes(range(256)) * 9  # 2304 bytes: three packets of at most 1023
    frames = jt808.encode_packets(jt808.LOCATION_BATCH, "13905730001", 0xFFFF, body)
    messages = [jt808.decode(f[1:-1]) for f in frames]
    raw = jt808.unescape(frames[0][1:-1])
    assert struct.unpack_from(">H", raw, 2)[0] & (1 << 13) and struct.unpack_from(">HH", raw, 12) == (3, 1)
    assert [m.header.packet for m in messages] == [(3, 1), (3, 2), (3, 3)]
    assert [m.header.serial for m in messages] == [0xFFFF, 0, 1]  # consecutive, wrapping
    joiner = jt808.Reassembler()
    assert joiner.add(messages[0]) == (None, None)
    assert joiner.add(messages[2]) == (None, [2])  # the last came first: packet 2 is asked for
    whole, missing = joiner.add(messages[1])
    assert whole.body == body and missing is None and whole.header.packet is None
    assert joiner.pending == {}
    assert jt808.resend_request_body(0xFFFF, [2]) == bytes.fromhex("ffff" "01" "0002")
    assert jt808.resend_request_body(0xFFFF, [2], v2019=True) == bytes.fromhex("ffff" "0001" "0002")
    with pytest.raises(jt808.FrameError) as exc:
        joiner.add(jt808.Message(jt808.Header(0x0704, "1", 5, None, (2, 3)), b""))
    assert exc.value.reason == "bad_packet"


def test_incomplete_messages_expire():
    ticks = iter([0.0, 500.0])
    joiner = jt808.Reassembler(ttl=120, clock=lambda: next(ticks))
    frames = jt808.encode_packets(jt808.LOCATION_BATCH, "1", 1, b"x" * 2000)
    joiner.add(jt808.decode(frames[0][1:-1]))
    assert joiner.add(jt808.decode(frames[1][1:-1])) == (None, [1])  # packet 1 expired meanwhile


def positions(n: int, start: dt.datetime) -> list[bytes]:
    return [jt808.location_body(latitude=30.6 + k / 5000, longitude=120.45 + k / 5000,
                                at=start + dt.timedelta(seconds=30 * k), speed_kmh=38.0, direction=45)
            for k in range(n)]


def test_a_batch_upload_is_stored_once_and_bad_items_are_logged(server, truck, caplog):
    caplog.set_level(logging.INFO, logger="waste.jt808_server")
    terminal = Terminal(server.port)
    try:
        terminal.login()
        start = now_beijing() - dt.timedelta(hours=1)
        items = positions(3, start) + [jt808.location_body(latitude=48.85, longitude=2.35, at=start)]
        serial = terminal.send(jt808.LOCATION_BATCH, jt808.location_batch_body(items, kind=1))
        assert jt808.parse_ack(terminal.replies(1)[0]) == (serial, jt808.LOCATION_BATCH, jt808.OK)
        assert "batch item 4 of 4 refused: outside_china" in caplog.text
        serial = terminal.send(jt808.LOCATION_BATCH, jt808.location_batch_body(items, kind=1))  # resent
        assert jt808.parse_ack(terminal.replies(1)[0]) == (serial, jt808.LOCATION_BATCH, jt808.OK)
        serial = terminal.send(jt808.LOCATION_BATCH, jt808.location_batch_body(items[3:]))
        assert jt808.parse_ack(terminal.replies(1)[0]) == (serial, jt808.LOCATION_BATCH, jt808.MESSAGE_ERROR)
        assert "no_valid_position" in caplog.text
    finally:
        terminal.close()
    assert GpsPoint.objects.filter(vehicle=truck).count() == 3


@pytest.mark.parametrize("version", [None, 1], ids=["2013", "2019"])
def test_a_sub_packaged_batch_is_joined_acknowledged_and_missing_packets_asked_for(server, truck, version):
    terminal = Terminal(server.port, version=version)
    try:
        terminal.login()
        body = jt808.location_batch_body(positions(80, now_beijing() - dt.timedelta(hours=2)))  # 2403 bytes
        frames = jt808.encode_packets(jt808.LOCATION_BATCH, terminal.phone, 300, body, version)
        assert len(frames) == 3
        terminal.sock.sendall(frames[0] + frames[2])  # packet 2 lost on the way
        ack1, ack3, resend = terminal.replies(3)
        assert jt808.parse_ack(ack1) == (300, jt808.LOCATION_BATCH, jt808.OK)
        assert jt808.parse_ack(ack3) == (302, jt808.LOCATION_BATCH, jt808.OK)
        assert resend.header.msg_id == jt808.RESEND_PACKETS and resend.header.version == version
        assert resend.body == jt808.resend_request_body(300, [2], v2019=version is not None)
        assert GpsPoint.objects.filter(vehicle=truck).count() == 0  # nothing stored from a part
        terminal.sock.sendall(frames[1])  # the terminal re-sends packet 2: the message is whole
        assert jt808.parse_ack(terminal.replies(1)[0]) == (301, jt808.LOCATION_BATCH, jt808.OK)
        assert GpsPoint.objects.filter(vehicle=truck).count() == 80
        terminal.sock.sendall(b"".join(frames))  # all three again: acknowledged, stored once
        assert [jt808.parse_ack(m)[2] for m in terminal.replies(3)] == [jt808.OK] * 3
    finally:
        terminal.close()
    assert GpsPoint.objects.filter(vehicle=truck).count() == 80
