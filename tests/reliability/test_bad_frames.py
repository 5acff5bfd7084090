"""Bad HJ 212 input through the whole ingestion path (framer, parser, validation, storage), beyond the
pure-protocol properties of tests/monitoring/test_hj212.py: mutations of valid frames, NUL bytes, and
the TCP server staying up for good devices whatever one bad sender does."""
import asyncio
import datetime as dt
import socket
import threading

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from monitoring import hj212
from monitoring.hj212_server import BatchWriter, Server
from monitoring.models import Device, HeldValue, IngestRejection, Reading
from monitoring.services import ingest
from tests.monitoring.ingest_support import TZ, data_frame, device

NOW = dt.datetime.now(TZ).replace(microsecond=0)
WHEN = NOW.replace(second=0) - dt.timedelta(hours=2)
REASONS = set(IngestRejection.Reason.values)
MN = "33048300000000000000RELI"


def good_frame() -> bytes:
    return data_frame(MN, WHEN, {"w01018": {"Rtd": 20.5, "ZsRtd": 21, "Flag": "N"}, "w21003": {"Rtd": 1.5}},
                      cn="2011", qn="20250101000000001")


def reframe(data: bytes) -> bytes:
    """Frame a data segment with its correct CRC (so the mutation reaches the parser, not only the CRC)."""
    return b"##%04d%s%04X\r\n" % (len(data), data, hj212.crc16(data))


@st.composite
def mutated(draw):
    """A valid frame with one byte replaced, deleted or inserted; in the data segment with the CRC fixed
    up (``reframed``) or anywhere in the frame as sent."""
    frame = good_frame()
    reframed = draw(st.booleans())
    body = frame[6:-6] if reframed else frame
    at = draw(st.integers(0, len(body) - 1))
    op = draw(st.sampled_from(["replace", "delete", "insert"]))
    byte = bytes([draw(st.integers(0, 255))])
    if op == "replace":
        body = body[:at] + byte + body[at + 1:]
    elif op == "delete":
        body = body[:at] + body[at + 1:]
    else:
        body = body[:at] + byte + body[at:]
    return reframe(body) if reframed else body


@pytest.fixture
def logger(db):
    ingest.forget_pollutants()
    return device(mn=MN, password="123456")


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=mutated())
@example(stream=reframe(good_frame()[6:-6].replace(b"CN=2011", b"CN=0011")))  # found by a CI run
def test_a_mutated_frame_is_stored_whole_or_refused_with_a_reason(logger, stream):
    """Any single-byte change of a valid frame: never an exception; each item is either accepted with all
    its items stored (once), as readings or as held values, or refused with a known reason and logged. A
    change that makes the CN another command (2011 to 0011, CRC fixed up) is acknowledged and stores no
    reading: only data uploads (and CN 3020) are read."""
    readings_before = Reading.objects.filter(device=logger).count()
    held_before = HeldValue.objects.filter(device=logger).count()
    rejections_before = IngestRejection.objects.count()
    reader = hj212.FrameReader()
    items = reader.feed(stream)
    leftover = reader.close()
    items += [leftover] if leftover is not None else []
    outcomes = ingest.ingest_frames(items, source="fuzz", now=NOW)
    assert len(outcomes) == len(items)
    refused = [o for o in outcomes if not o.accepted]
    assert {o.reason for o in refused} <= REASONS
    assert all(o.detail for o in refused)
    assert IngestRejection.objects.count() - rejections_before == len(refused)
    stored = Reading.objects.filter(device=logger).count() - readings_before
    assert stored == sum(o.stored for o in outcomes if o.accepted)
    for outcome in outcomes:
        if outcome.accepted:  # a data upload's items are stored, some maybe held; another command stores none
            assert outcome.packet.mn == MN
            assert outcome.readings + outcome.held >= 1 or (outcome.packet.kind is None and not outcome.stored)
    assert HeldValue.objects.filter(device=logger).count() - held_before == sum(o.held for o in outcomes)
    Reading.objects.filter(device=logger).delete()  # the next example starts from an empty table


@pytest.mark.django_db
@pytest.mark.parametrize("mn", ["\x00", "A\x00B", MN + "\x00"])
def test_nul_in_mn_is_refused_and_logged(logger, mn):
    """A NUL in the MN used to reach PostgreSQL as a query parameter (ValueError, not a DatabaseError)."""
    frame = data_frame(mn, WHEN, {"w01018": {"Rtd": 1}}, qn="20250101000000002")
    [outcome] = ingest.ingest_frames(hj212.FrameReader().feed(frame), source="x\x00y", now=NOW)
    assert (outcome.accepted, outcome.reason) == (False, "unknown_mn")
    rejection = IngestRejection.objects.get()
    assert "\x00" not in rejection.mn + rejection.detail + rejection.raw + rejection.source
    assert "\\x00" in rejection.mn


@pytest.fixture
def server(transactional_db):
    ingest.forget_pollutants()
    srv = Server("127.0.0.1", 0, read_timeout=5, max_bad_frames=5, writer=BatchWriter(retry_delay=0.1, threads=2))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    yield srv
    srv.stop(loop)
    thread.join(10)
    loop.close()


def exchange(port: int, frame: bytes, timeout: float = 5) -> list[hj212.Packet]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(frame)
        reader = hj212.FrameReader()
        try:
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    return []
                frames = [f for f in reader.feed(chunk) if isinstance(f, hj212.Frame)]
                if frames:
                    return [hj212.parse_packet(f.data) for f in frames]
        except TimeoutError:
            return []


@pytest.mark.slow
def test_bad_senders_do_not_stop_the_server_for_good_devices(server):
    """Frames with a NUL in the MN, over separate connections (one per writer thread and more): each
    gets its refusal, and a good device is still acknowledged and stored afterwards (an unexpected error
    in a writer thread used to end it, leaving every later batch of that thread unanswered)."""
    good = device(mn=MN, password="123456")
    for n in range(4):
        [reply] = exchange(server.port, data_frame("BAD\x00MN", WHEN, {"w01018": {"Rtd": 1}},
                                                   qn=f"2025010100000001{n}"))
        assert (reply.cn, reply.params.get("QnRtn")) == ("9011", str(hj212.QNRTN_REJECTED))  # unknown MN: "rejected"
    for n in range(4):
        [reply] = exchange(server.port, data_frame(MN, WHEN + dt.timedelta(minutes=n), {"w01018": {"Rtd": 1}},
                                                   qn=f"2025010100000002{n}"))
        assert reply.cn == "9014"
    assert Reading.objects.filter(device=good).count() == 4
    assert all(t.is_alive() for t in server.writer.threads)
    assert Device.objects.get(pk=good.pk).accepted_packets == 4
