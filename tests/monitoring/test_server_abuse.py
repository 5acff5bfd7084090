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


def ack_latency(sock: socket.socket, mn: str, minute: int) -> float:
    """Send one data packet asking for an acknowledgement; seconds until its 9014 came back."""
    frame = data_frame(mn, T0 + dt.timedelta(minutes=minute), {"w01018": {"Rtd": 20 + minute % 7, "Flag": "N"}})
    started = time.monotonic()
    sock.sendall(frame)
    reader = hj212.FrameReader()
    while True:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the device's connection"
        acks = [hj212.parse_packet(f.data) for f in reader.feed(chunk) if isinstance(f, hj212.Frame)]
        if acks:
            assert acks[0].cn == "9014"
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
    settings.INGEST_REJECTION_RETENTION_DAYS = 30
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for age in (1, 29, 31, 400):
        IngestRejection.objects.create(reason="garbage", received_at=now - dt.timedelta(days=age), count=5,
                                       source=f"purge-test:{age}")
    assert rejections_purge(now=now) == 2
    assert sorted(IngestRejection.objects.filter(source__startswith="purge-test:")
                  .values_list("source", flat=True)) == ["purge-test:1", "purge-test:29"]


def test_a_thousand_day_backfill_creates_no_partition():
    """Old timestamps over TCP (here through the batch the server hands to ingestion): stored in the
    default partition, no table created, in seconds."""
    from monitoring.services import partitions
    from tests.monitoring.ingest_support import frames

    dev = device()
    partitions.forget_known_days()
    before = partitions.existing_days()
    start = dt.datetime(2022, 1, 1, 10, tzinfo=TZ)
    raw = [data_frame(dev.mn, start + dt.timedelta(days=n), {"w01018": {"Rtd": 30 + n % 11, "Flag": "N"}})
           for n in range(1000)]
    started = time.monotonic()
    outcomes = ingest.ingest_frames(frames(*raw), source="127.0.0.1:40000")
    assert time.monotonic() - started < 60
    assert sum(o.stored for o in outcomes) == 1000
    partitions.forget_known_days()
    assert partitions.existing_days() == before
    assert Reading.objects.filter(device=dev).count() == 1000


def test_a_huge_value_in_a_busy_batch_is_held_alone():
    """One value of 1.7e308 among 40 devices' packets in one writer batch: it is held with its reason,
    and every packet, its own included, is stored and acknowledged (it used to overflow an hourly sum
    and leave the whole batch unacknowledged)."""
    from monitoring.models import HeldValue
    from tests.monitoring.ingest_support import frames

    devices = [device() for _ in range(40)]
    raw = [data_frame(d.mn, T0 + dt.timedelta(minutes=5), {"w01018": {"Rtd": 30 + n, "Flag": "N"},
                                                          "w21003": {"Rtd": "1.7e308" if n == 7 else 2.5,
                                                                     "Flag": "N"}})
           for n, d in enumerate(devices)]
    outcomes = ingest.ingest_frames(frames(*raw), source="127.0.0.1:40001")
    assert all(o.accepted and o.reply() for o in outcomes)
    assert Reading.objects.filter(device__in=devices).count() == 40 * 2 - 1
    held = HeldValue.objects.get(device=devices[7])
    assert (held.code, held.problem) == ("w21003", "bad_value") and "out of range" in held.detail
