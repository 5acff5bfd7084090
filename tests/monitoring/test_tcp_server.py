"""The HJ 212 TCP server with real sockets: readings land in PostgreSQL exactly once, acknowledgements
echo the QN, and a slow or broken client does not hold up the others."""
import asyncio
import datetime as dt
import io
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from monitoring import hj212
from monitoring.hj212_server import BatchWriter, Server
from monitoring.models import DeviceMessage, IngestRejection, Reading
from monitoring.services import ingest
from tests.monitoring.ingest_support import TZ, data_frame, device

pytestmark = pytest.mark.django_db(transaction=True)
T0 = dt.datetime.now(TZ).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_pollutant_ids(transactional_db):
    """Transactional tests flush and reload the reference rows (tests/conftest.py), so their ids change."""
    ingest.forget_pollutants()


@pytest.fixture
def server():
    srv = Server("127.0.0.1", 0, read_timeout=5, max_bad_frames=5, writer=BatchWriter(retry_delay=0.1))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    yield srv
    srv.stop(loop)
    thread.join(10)
    loop.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def receive(sock: socket.socket, count: int) -> list[hj212.Packet]:
    reader, got = hj212.FrameReader(), []
    while len(got) < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += [hj212.parse_packet(f.data) for f in reader.feed(chunk) if isinstance(f, hj212.Frame)]
    return got


def test_readings_land_once_and_acks_echo_the_qn(server):
    dev_a, dev_b = device(), device()
    a = [data_frame(dev_a.mn, T0 + dt.timedelta(seconds=30 * i), {"w01018": {"Rtd": i}, "w21003": {"Rtd": 1}},
                    qn=f"2025010100000{i:04d}") for i in range(20)]
    b = [data_frame(dev_b.mn, T0 + dt.timedelta(seconds=30 * i), {"w01018": {"Rtd": i}}) for i in range(20)]
    with connect(server.port) as sa, connect(server.port) as sb:
        sa.sendall(b"".join(a[:10]))
        sb.sendall(b"".join(b))
        sa.sendall(a[10][:25])  # half a frame, the rest in a later read
        time.sleep(0.05)
        sa.sendall(a[10][25:] + b"".join(a[11:]))
        acks_a, acks_b = receive(sa, 20), receive(sb, 20)
    assert [p.qn for p in acks_a] == [f"2025010100000{i:04d}" for i in range(20)]
    assert {p.cn for p in acks_a + acks_b} == {"9014"} and {p.mn for p in acks_b} == {dev_b.mn}
    assert Reading.objects.filter(device=dev_a).count() == 40
    assert Reading.objects.filter(device=dev_b).count() == 20
    # Resent after a lost acknowledgement: acknowledged again, stored once.
    with connect(server.port) as sa:
        sa.sendall(b"".join(a[:5]))
        assert [p.qn for p in receive(sa, 5)] == [f"2025010100000{i:04d}" for i in range(5)]
    assert Reading.objects.filter(device=dev_a).count() == 40
    dev_a.refresh_from_db()
    assert (dev_a.accepted_packets, dev_a.stored_readings) == (25, 40)


def test_refused_packets_get_a_9011_and_are_logged(server):
    dev = device()
    good = data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}}, qn="20250101000000001")
    bad = bytearray(data_frame(dev.mn, T0, {"w01018": {"Rtd": 2}}, qn="20250101000000002"))
    bad[-3] = ord("0") if bad[-3] != ord("0") else ord("1")  # break the CRC
    with connect(server.port) as sock:
        sock.sendall(bytes(bad) + good)
        replies = receive(sock, 2)
    assert [(p.cn, p.qn, p.params.get("QnRtn")) for p in replies] == [
        ("9011", "20250101000000002", "9"), ("9014", "20250101000000001", None)]
    assert Reading.objects.filter(device=dev).count() == 1
    assert IngestRejection.objects.filter(device=dev, reason="bad_crc").count() == 1


def test_a_slow_or_broken_client_does_not_block_others(server):
    dev = device()
    stalled = connect(server.port)
    stalled.sendall(data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}})[:30])  # and then nothing
    noisy = connect(server.port)
    noisy.sendall(b"\x00garbage##xxxx" * 10)
    started = time.monotonic()
    with connect(server.port) as sock:
        sock.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=1), {"w01018": {"Rtd": 2}}))
        assert [p.cn for p in receive(sock, 1)] == ["9014"]
    assert time.monotonic() - started < 2
    noisy.settimeout(5)
    assert noisy.recv(100) == b""  # closed after too many refused frames
    stalled.settimeout(10)
    assert stalled.recv(100) == b""  # closed after the read timeout
    noisy.close()
    stalled.close()
    assert IngestRejection.objects.filter(reason="truncated").count() == 1


def test_a_time_request_over_tcp_gets_the_time_and_the_loggers_replies_are_kept(server):
    """CN 1013 over a real socket: the server answers with CN 1012 (no acknowledgement asked); the logger's
    9011 and 9012 to it come back on the same connection and are kept as device messages."""
    dev = device()
    with connect(server.port) as sock:
        sock.sendall(hj212.build_frame(hj212.data_segment(cn="1013", mn=dev.mn, qn="20250301100000001", flag=4,
                                                          cp="")))
        [setting] = receive(sock, 1)
        assert setting.cn == "1012" and len(setting.params["SystemTime"]) == 14 and setting.wants_ack
        for cn, cp in (("9011", "QnRtn=1"), ("9012", "ExeRtn=1")):
            sock.sendall(hj212.build_frame(hj212.data_segment(cn=cn, mn=dev.mn, qn=setting.qn, flag=4, cp=cp)))
        deadline = time.monotonic() + 5
        while DeviceMessage.objects.filter(device=dev).count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sorted(DeviceMessage.objects.filter(device=dev).values_list("cn", "qn")) == [
        ("1013", "20250301100000001"), ("9011", setting.qn), ("9012", setting.qn)]


def test_a_stop_closes_open_connections_and_logs_what_they_held():
    """A stop with devices still connected (one idle, one in the middle of a frame) returns within
    seconds, with every connection released, its half frame logged and its stored packet acknowledged."""
    dev = device()
    srv = Server("127.0.0.1", 0, read_timeout=300, writer=BatchWriter(retry_delay=0.1))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    idle, partial = connect(srv.port), connect(srv.port)
    idle.sendall(data_frame(dev.mn, T0, {"w01018": {"Rtd": 1}}))
    assert [p.cn for p in receive(idle, 1)] == ["9014"]
    partial.sendall(data_frame(dev.mn, T0 + dt.timedelta(minutes=1), {"w01018": {"Rtd": 2}})[:30])
    while srv.connections < 2:
        time.sleep(0.01)
    started = time.monotonic()
    srv.stop(loop)
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    loop.close()
    assert srv.connections == 0 and not srv.by_address
    idle.settimeout(5)
    partial.settimeout(5)
    assert idle.recv(100) == b"" and partial.recv(100) == b""
    idle.close()
    partial.close()
    assert Reading.objects.filter(device=dev).count() == 1
    assert IngestRejection.objects.filter(reason="truncated").count() == 1


@pytest.mark.slow
def test_management_command_serves_real_devices(tmp_path):
    dev = device()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings_dict = connection.settings_dict
    env = dict(os.environ, DATABASE_URL=f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
                                        f"{settings_dict['PORT']}/{settings_dict['NAME']}")
    env.pop("DJANGO_TEST_DB", None)
    proc = subprocess.Popen([sys.executable, "manage.py", "hj212_server", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                sock = connect(port)
                break
            except OSError:
                time.sleep(0.1)
        else:
            proc.terminate()
            pytest.fail(f"server did not start: {proc.communicate(timeout=10)[0].decode()[-2000:]}")
        with sock:
            frame = data_frame(dev.mn, T0, {"w01018": {"Rtd": 7.5}}, qn="20250101000000042")
            sock.sendall(frame + frame)
            assert [p.qn for p in receive(sock, 2)] == ["20250101000000042"] * 2
        assert list(Reading.objects.filter(device=dev).values_list("rtd", flat=True)) == [7.5]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out.decode()
    assert b"stopped after" in out


def test_replay_hj212_over_tcp_reports_the_servers_replies(server, tmp_path):
    dev = device()
    good = data_frame(dev.mn, T0, {"w01018": {"Rtd": 20}, "zz9": {"Rtd": 1}}, qn="20250301100000001")
    stranger = data_frame("NOBODY000000000000000001", T0, {"w01018": {"Rtd": 1}}, qn="20250301100000002")
    capture = tmp_path / "capture.log"
    capture.write_bytes(good.rstrip(b"\r\n") + b"\n" + stranger)
    out = io.StringIO()
    call_command("replay_hj212", str(capture), "--host", "127.0.0.1", "--port", str(server.port), stdout=out)
    text = out.getvalue()
    assert "line 1: sent" in text and "reply: 9014" in text and "line 2: sent" in text and "9011 QnRtn=2" in text
    assert "2 frames: 1 stored" in text and "1 refused, 1 acknowledged" in text
    assert Reading.objects.filter(device=dev).count() == 1


def test_two_servers_share_one_port_and_store_exactly_once():
    """SO_REUSEPORT: two servers on one port; the kernel spreads the connections over both, every
    reading is stored once and acknowledged after its commit, whichever server took it."""
    servers, loops, threads = [], [], []
    first = Server("127.0.0.1", 0, read_timeout=5, writer=BatchWriter(retry_delay=0.1), reuse_port=True)
    for srv in (first, None):
        srv = srv or Server("127.0.0.1", first.port, read_timeout=5, writer=BatchWriter(retry_delay=0.1),
                            reuse_port=True)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
        thread.start()
        assert srv.started.wait(10)
        servers.append(srv), loops.append(loop), threads.append(thread)
    try:
        assert servers[0].port == servers[1].port
        devices = [device() for _ in range(24)]
        for dev in devices:
            frames = [data_frame(dev.mn, T0 + dt.timedelta(seconds=30 * i), {"w01018": {"Rtd": i}}) for i in range(3)]
            with connect(first.port) as sock:
                sock.sendall(b"".join(frames * 2))  # each frame twice: stored once, acknowledged twice
                assert [p.cn for p in receive(sock, 6)] == ["9014"] * 6
        assert all(srv.writer.frames > 0 for srv in servers), [srv.writer.frames for srv in servers]
        assert Reading.objects.filter(device__in=devices).count() == 24 * 3
    finally:
        for srv, loop, thread in zip(servers, loops, threads):
            srv.stop(loop)
            thread.join(10)
            loop.close()
