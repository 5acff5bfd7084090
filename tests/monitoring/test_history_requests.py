"""Asking a logger for the history of its data gap (补传): the warning cycle that finds an outlet missing
data makes one request per logger from its last data on; the HJ 212 server sends it when the logger is
connected, over a real socket; the logger's answers (CN 9011, the history, CN 9012) are recorded and its
data stored once like any upload."""
import asyncio
import datetime as dt
import socket
import threading
import time

import pytest

from alerts.services import evaluate
from core import clock
from monitoring import hj212
from monitoring.hj212_server import BatchWriter, Server
from monitoring.models import Device, DeviceCommand, Reading
from monitoring.services import ingest
from tests.monitoring.ingest_support import TZ, data_frame, device, frames

pytestmark = pytest.mark.django_db(transaction=True)
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fresh_pollutant_ids(transactional_db):
    ingest.forget_pollutants()


def test_the_cycle_asks_a_missing_logger_for_its_history_once_an_hour():
    dev = device()
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    with clock.frozen(t0 + MIN):
        ingest.ingest_frames(frames(data_frame(dev.mn, t0, {"w01018": {"Rtd": 40, "Flag": "N"}})), source="logger")
    for minutes in (30, 90, 95):
        with clock.frozen(t0 + minutes * MIN):
            evaluate(t0 + minutes * MIN)
    [command] = DeviceCommand.objects.filter(device=dev)
    # from one reporting interval (10 minutes) before the last data was received
    assert (command.cn, command.begin_at, command.sent_at, command.reason) == ("2051", t0 - 9 * MIN, None,
                                                                               "missing_data")
    DeviceCommand.objects.filter(pk=command.pk).update(sent_at=t0 + 96 * MIN)  # sent; the logger stays silent
    with clock.frozen(t0 + 100 * MIN):
        evaluate(t0 + 100 * MIN)
    assert DeviceCommand.objects.filter(device=dev).count() == 1  # not again within the hour
    with clock.frozen(t0 + 160 * MIN):
        evaluate(t0 + 160 * MIN)
    assert DeviceCommand.objects.filter(device=dev).count() == 2


def receive(sock: socket.socket, reader: hj212.FrameReader) -> hj212.Packet:
    while True:
        found = [hj212.parse_packet(f.data) for f in reader.feed(sock.recv(65536)) if isinstance(f, hj212.Frame)]
        if found:
            return found[0]


def test_the_server_sends_the_request_and_records_the_loggers_answers():
    dev = device()
    now = clock.now().replace(second=0, microsecond=0)
    gap_start = now - dt.timedelta(hours=2)
    Device.objects.filter(pk=dev.pk).update(last_seen_at=gap_start, reporting_interval_minutes=10)
    DeviceCommand.objects.create(device=dev, cn="2051", begin_at=gap_start, reason="missing_data", created_at=now)
    srv = Server("127.0.0.1", 0, read_timeout=20, writer=BatchWriter(retry_delay=0.1), command_poll=0.2)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            reader = hj212.FrameReader()
            sock.sendall(data_frame(dev.mn, now, {"w01018": {"Rtd": 41, "Flag": "N"}}, flag=4))  # back online
            request = receive(sock, reader)
            assert (request.cn, request.mn, request.st, request.pw, request.wants_ack) == (
                "2051", dev.mn, "32", "123456", True)
            local = gap_start.astimezone(TZ)
            assert request.params["BeginTime"] == f"{local:%Y%m%d%H%M%S}" and len(request.params["EndTime"]) == 14
            answers = [hj212.build_frame(hj212.data_segment(cn="9011", mn=dev.mn, qn=request.qn, flag=4,
                                                            cp="QnRtn=1"))]
            answers += [data_frame(dev.mn, gap_start + k * 10 * MIN, {"w01018": {"Avg": 40 + k, "Flag": "N"}},
                                   cn="2051", flag=4) for k in range(12)]
            answers += [hj212.build_frame(hj212.data_segment(cn="9012", mn=dev.mn, qn=request.qn, flag=4,
                                                             cp="ExeRtn=1"))]
            sock.sendall(b"".join(answers))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not DeviceCommand.objects.filter(answered_at__isnull=False).exists():
                time.sleep(0.05)
    finally:
        srv.stop(loop)
        thread.join(15)
        loop.close()
    command = DeviceCommand.objects.get()
    assert (command.qn, command.qn_rtn, command.exe_rtn) == (request.qn, 1, 1)
    assert command.sent_at is not None and command.end_at == command.sent_at and command.answered_at is not None
    assert srv.commands_sent == 1
    assert Reading.objects.filter(device=dev, kind="minute").count() == 12
