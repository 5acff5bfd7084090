"""The HJ 212 server under abuse, on 127.0.0.1 with real sockets and bounded in time: a garbage flood
and a trickle of slow sockets do not hold up a registered device's acknowledgements, and what cannot be
framed is logged as counted summaries, not a row per fragment."""
import asyncio
import datetime as dt
import socket
import subprocess
import sys
import threading
import time

import pytest

from monitoring import hj212
from monitoring.hj212_server import BatchWriter, Server
from monitoring.models import IngestRejection, Reading
from monitoring.services import ingest
from monitoring.services.rejections import rejections_purge
from tests.monitoring.ingest_support import TZ, data_frame, device

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
T0 = dt.datetime.now(TZ).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
DEVICE_ADDRESS = "127.0.0.2"  # the registered device; the attackers come from 127.0.0.1


@pytest.fixture(autouse=True)
def fresh_pollutant_ids(transactional_db):
    ingest.forget_pollutants()


def run_server(**options) -> tuple[Server, callable]:
    srv = Server("127.0.0.1", 0, read_timeout=20, writer=BatchWriter(retry_delay=0.1), **options)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)

    def stop():
        srv.stop(loop)
        thread.join(15)
        loop.close()

    return srv, stop


def device_socket(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(DEVICE_ADDRESS, 0))


def first_reply(sock: socket.socket) -> hj212.Packet:
    """The first packet the server sends back on ``sock``."""
    reader = hj212.FrameReader()
    while True:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the device's connection"
        packets = [hj212.parse_packet(f.data) for f in reader.feed(chunk) if isinstance(f, hj212.Frame)]
        if packets:
            return packets[0]


def ack_latency(sock: socket.socket, mn: str, minute: int) -> float:
    """Send one data packet asking for an acknowledgement; seconds until its 9014 came back."""
    frame = data_frame(mn, T0 + dt.timedelta(minutes=minute), {"w01018": {"Rtd": 20 + minute % 7, "Flag": "N"}})
    started = time.monotonic()
    sock.sendall(frame)
    assert first_reply(sock).cn == "9014"
    return time.monotonic() - started


FLOOD = """
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
line = b"#" * 65536 + b"\\r\\n"
until, sent = time.monotonic() + seconds, 0
while time.monotonic() < until:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            while time.monotonic() < until:
                s.sendall(line)
                sent += len(line)
    except OSError:
        pass  # closed by the server: come again
print(sent)
"""


def flood(port: int, seconds: float) -> subprocess.Popen:
    """An attacker in a process of its own: reconnect and send 64 KB lines of '#' for ``seconds``."""
    return subprocess.Popen([sys.executable, "-c", FLOOD, str(port), str(seconds)], stdout=subprocess.PIPE,
                            text=True)


def test_a_garbage_flood_does_not_delay_a_registered_device():
    dev = device()
    srv, stop = run_server(max_bad_frames=20)
    try:
        with device_socket(srv.port) as sock:
            baseline = sorted(ack_latency(sock, dev.mn, m) for m in range(10))
            until = time.monotonic() + 6
            attackers = [flood(srv.port, 6) for _ in range(4)]
            during, minute = [], 10
            while time.monotonic() < until:
                during.append(ack_latency(sock, dev.mn, minute))
                minute += 1
                time.sleep(0.1)
            sent = sum(int(a.communicate(timeout=20)[0]) for a in attackers)
            after = [ack_latency(sock, dev.mn, minute + k) for k in range(5)]
    finally:
        stop()
    assert sent > 1_000_000  # the flood did send (over a megabyte of '#')
    normal = max(baseline[len(baseline) // 2] * 20, 0.5)
    assert max(during) < normal and max(after) < normal, (baseline, during, after)
    assert Reading.objects.filter(device=dev).count() == minute + 5
    rows = IngestRejection.objects.filter(source__startswith="127.0.0.1:")
    fragments = sum(rows.values_list("count", flat=True))
    assert fragments > rows.count() * 10  # counted summaries: many fragments per row
    assert rows.count() <= 3 * len(set(rows.values_list("source", flat=True)))  # at most a row per reason
    assert srv.connections == 0


def test_slow_sockets_are_capped_and_closed_without_holding_up_a_device():
    dev = device()
    srv, stop = run_server(frame_timeout=2, max_per_address=50)
    slow = []
    try:
        for _ in range(2000):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                s.sendall(b"##00")  # the start of a frame, never finished
                slow.append(s)
            except OSError:
                pass
        assert len(slow) >= 1900
        seen = lambda: srv.by_address.get("127.0.0.1", 0) + srv.refused_connections  # noqa: E731
        started = time.monotonic()
        while seen() < len(slow) and time.monotonic() - started < 20:
            time.sleep(0.1)
        assert srv.by_address.get("127.0.0.1", 0) == 50 and srv.refused_connections == len(slow) - 50
        with device_socket(srv.port) as sock:
            assert ack_latency(sock, dev.mn, 0) < 1.0
            for s in slow:
                try:
                    s.sendall(b"1")  # a trickle does not keep a frame alive
                except OSError:
                    pass  # one of the refused connections
            started = time.monotonic()
            while srv.by_address.get("127.0.0.1", 0) and time.monotonic() - started < 10:
                time.sleep(0.1)
            assert srv.by_address.get("127.0.0.1", 0) == 0  # closed by the whole-frame deadline
            assert time.monotonic() - started < 5
            assert ack_latency(sock, dev.mn, 1) < 1.0
    finally:
        for s in slow:
            s.close()
        stop()
    truncated = IngestRejection.objects.filter(reason="truncated")
    assert 1 <= truncated.count() <= 50 and set(truncated.values_list("count", flat=True)) == {1}


def test_rejection_logs_are_purged_after_their_retention(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "rejections": 30}
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for age in (1, 29, 31, 400):
        IngestRejection.objects.create(reason="garbage", received_at=now - dt.timedelta(days=age), count=5,
                                       source=f"purge-test:{age}")
    assert rejections_purge(now=now) == 2
    assert sorted(IngestRejection.objects.filter(source__startswith="purge-test:")
                  .values_list("source", flat=True)) == ["purge-test:1", "purge-test:29"]


def replies(sock: socket.socket, count: int) -> list:
    """The next ``count`` packets the server answers on ``sock``."""
    reader, out = hj212.FrameReader(), []
    while len(out) < count:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        out += [hj212.parse_packet(f.data) for f in reader.feed(chunk) if isinstance(f, hj212.Frame)]
    return out


def test_a_thousand_day_backfill_over_tcp_creates_no_partition():
    """1,000 past days sent by a station's device to the server: each acknowledged, stored in the default
    partition, no table created, in seconds, and the server keeps answering."""
    from monitoring.services import partitions
    from tests.monitoring.ingest_support import station

    dev = device(station=station(), outlet=None)
    partitions.forget_known_days()
    before = partitions.existing_days()
    start = dt.datetime(2022, 1, 1, 10, tzinfo=TZ)
    raw = b"".join(data_frame(dev.mn, start + dt.timedelta(days=n), {"w01018": {"Rtd": 30 + n % 11, "Flag": "N"}})
                   for n in range(1000))
    srv, stop = run_server()
    try:
        with device_socket(srv.port) as sock:
            started = time.monotonic()
            sock.sendall(raw)
            acks = replies(sock, 1000)
            elapsed = time.monotonic() - started
            assert ack_latency(sock, dev.mn, 0) < 2.0
    finally:
        stop()
    assert elapsed < 60 and {a.cn for a in acks} == {"9014"}
    partitions.forget_known_days()
    assert partitions.existing_days() == before
    assert Reading.objects.filter(device=dev).count() == 1001


def test_a_huge_value_in_a_busy_batch_is_held_alone():
    """40 devices send at once, one with 1.7e308 and one with a COD of 250,000 mg/L (beyond its data type,
    N5.1): those two values are held with their reasons, every packet is acknowledged and every other value
    stored (one bad value used to overflow an hourly sum and leave the whole batch unacknowledged)."""
    from monitoring.models import HeldValue

    devices = [device() for _ in range(40)]
    bad = {7: ("w21003", "1.7e308"), 23: ("w01018", "250000")}
    srv, stop = run_server()
    socks = [device_socket(srv.port) for _ in devices]
    try:
        for n, (dev, sock) in enumerate(zip(devices, socks)):
            items = {"w01018": {"Rtd": 30 + n, "Flag": "N"}, "w21003": {"Rtd": 2.5, "Flag": "N"}}
            if n in bad:
                items[bad[n][0]]["Rtd"] = bad[n][1]
            sock.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=5), items))
        acks = [replies(sock, 1)[0].cn for sock in socks]
    finally:
        for sock in socks:
            sock.close()
        stop()
    assert acks == ["9014"] * 40
    assert Reading.objects.filter(device__in=devices).count() == 40 * 2 - 2
    for n, (code, _) in bad.items():
        held = HeldValue.objects.get(device=devices[n])
        assert (held.code, held.problem) == (code, "bad_value") and "range" in held.detail
    assert "data type" in HeldValue.objects.get(device=devices[23]).detail


def test_password_guessing_on_a_device_is_locked_out(settings):
    """Guessing a device's password over TCP: refused alike, then the MN is locked, even for the right
    password from another address; the device's data after the lockout are stored."""
    settings.HJ212_MAX_FAILED_LOGINS = 5
    settings.HJ212_LOCKOUT_SECONDS = 2
    dev = device(password="Rt7kP2qLx9Zm")
    srv, stop = run_server()
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as guesser:
            for n in range(8):
                guesser.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=n), {"w01018": {"Rtd": 1}},
                                           pw=f"guess{n}"))
            answers = replies(guesser, 8)
        with device_socket(srv.port) as sock:
            sock.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=20), {"w01018": {"Rtd": 9}}, pw=dev.password))
            locked = replies(sock, 1)[0]
            time.sleep(2.2)
            sock.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=21), {"w01018": {"Rtd": 9}}, pw=dev.password))
            after = replies(sock, 1)[0]
    finally:
        stop()
    assert {a.cn for a in answers} == {"9011"} and {a.params["QnRtn"] for a in answers} == {"2"}
    assert (locked.cn, locked.params.get("QnRtn")) == ("9011", "2")
    assert after.cn == "9014"
    assert list(Reading.objects.filter(device=dev).values_list("rtd", flat=True)) == [9]
