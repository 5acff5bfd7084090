"""The aggregate backlog: a batch that defers its aggregates stores its readings at once and leaves its windows
to the fold, which counts them as ingestion counts them inline, exactly once, whoever folds (a recount of the
same windows, a second folder, the warning cycle, a busy server before it stops)."""
import asyncio
import datetime as dt
import socket
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from alerts.models import Alert, Rule
from alerts.services import evaluate
from core import clock
from core.db import advisory_lock
from monitoring import hj212
from monitoring.hj212_server import BatchWriter, Server
from monitoring.models import Aggregate, Reading
from monitoring.services import ingest
from monitoring.services.aggregate_backlog import LOCK, backlog_fold, backlog_size
from monitoring.services.validity import Period, invalid_periods_set
from tests import factories
from tests.alerts.alert_support import site
from tests.monitoring.ingest_support import TZ, data_frame, device, frames, station

DAY = dt.datetime(2026, 3, 2, tzinfo=TZ)
MIN = dt.timedelta(minutes=1)
NOW = DAY + dt.timedelta(days=2)
FIELDS = ("pollutant__code", "period", "start", "kind", "count", "valid_count", "sum", "avg", "min", "max",
          "sum_sin", "sum_cos")


def uploads(mn: str, start: dt.datetime) -> list[bytes]:
    """Two hours of one logger: real-time data every 2 minutes (one with flag F), minute data for the
    second hour (better than real time in its half hours and hour), an hourly value for the first hour."""
    out = [data_frame(mn, start + 2 * MIN * k, {"w01018": {"Rtd": 40 + k % 7, "Flag": "F" if k == 5 else "N"},
                                               "w21003": {"Rtd": 3 + k % 3 / 10}})
           for k in range(60)]
    out += [data_frame(mn, start + 60 * MIN + 10 * MIN * k, {"w01018": {"Avg": 45 + k, "Min": 40, "Max": 50}},
                       cn="2051") for k in range(6)]
    out.append(data_frame(mn, start, {"w21003": {"Avg": 3.1}}, cn="2061"))
    return out


def weather(mn: str, start: dt.datetime) -> list[bytes]:
    """A station's wind direction around north (averaged as a vector) and its wind speed."""
    return [data_frame(mn, start + 2 * MIN * k, {"a01008": {"Rtd": (350 + k) % 360}, "a01007": {"Rtd": 2 + k % 4}})
            for k in range(40)]


def ingest_in_batches(raw: list[bytes], *, defer: bool, size: int = 17) -> int:
    parsed = frames(*raw)
    stored = 0
    with clock.frozen(NOW):
        for at in range(0, len(parsed), size):
            outcomes = ingest.ingest_frames(parsed[at:at + size], source="logger", defer_aggregates=defer)
            assert all(o.accepted for o in outcomes)
            stored += sum(o.stored for o in outcomes)
    return stored


def windows(**owner) -> list[tuple]:
    rows = Aggregate.objects.filter(**owner).order_by("pollutant__code", "period", "start").values_list(*FIELDS)
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.mark.django_db
def test_a_deferred_batch_stores_its_readings_and_the_fold_counts_them_as_an_inline_batch_does():
    deferred, inline = device(), device()
    deferred_station, inline_station = station(), station()
    for dev in (deferred_station, inline_station):
        dev.device = device(station=dev)
    stored = ingest_in_batches(uploads(deferred.mn, DAY) + weather(deferred_station.device.mn, DAY), defer=True)
    assert ingest_in_batches(uploads(inline.mn, DAY) + weather(inline_station.device.mn, DAY), defer=False) == stored
    assert Reading.objects.filter(device=deferred).count() == Reading.objects.filter(device=inline).count() == 127
    assert not Aggregate.objects.filter(outlet=deferred.outlet).exists()
    assert not Aggregate.objects.filter(station=deferred_station).exists()
    assert backlog_size() == stored == 127 + 80
    assert ingest_in_batches(uploads(deferred.mn, DAY)[:20], defer=True) == 0  # resent: nothing new to count

    assert backlog_fold() == stored
    assert backlog_size() == 0 and backlog_fold() == 0
    assert windows(outlet=deferred.outlet) == windows(outlet=inline.outlet) != []
    assert windows(station=deferred_station) == windows(station=inline_station) != []
    half_hour = Aggregate.objects.get(outlet=deferred.outlet, pollutant__code="w01018", period="half_hour",
                                      start=DAY + 60 * MIN)
    assert (half_hour.kind, half_hour.count, half_hour.avg) == ("minute", 3, 46.0)  # real time replaced
    north = Aggregate.objects.get(station=deferred_station, pollutant__code="a01008", period="hour", start=DAY)
    assert north.avg < 30 or north.avg > 330  # around north, not the arithmetic mean of 350° and 10°


@pytest.mark.django_db
def test_a_recount_takes_the_backlogs_readings_of_its_days_and_leaves_the_others_to_the_fold():
    deferred, inline = device(), device()
    next_day = DAY + dt.timedelta(days=1)
    for dev, defer in ((deferred, True), (inline, False)):
        ingest_in_batches(uploads(dev.mn, DAY) + uploads(dev.mn, next_day), defer=defer)
    waiting = backlog_size()
    assert waiting == 2 * 127
    with clock.frozen(NOW):
        for n, dev in enumerate((deferred, inline)):  # the first day's windows counted again, backlog and all
            assert invalid_periods_set(device=dev, source="tests.record",
                                       periods=[Period(n, "fault", DAY + 20 * MIN, DAY + 50 * MIN)]) == \
                [(DAY.replace(hour=0), next_day.replace(hour=0))]
    assert backlog_size() == 127  # the next day's readings still wait
    assert backlog_fold() == 127
    assert windows(outlet=deferred.outlet) == windows(outlet=inline.outlet)
    first = Aggregate.objects.get(outlet=deferred.outlet, pollutant__code="w21003", period="half_hour", start=DAY)
    assert (first.count, first.valid_count) == (15, 10)  # the 5 real-time readings from 00:20 are void


@pytest.mark.django_db
def test_one_fold_at_a_time_and_a_second_folder_does_not_wait_when_told_not_to():
    dev = device()
    stored = ingest_in_batches(uploads(dev.mn, DAY)[:10], defer=True)
    held, release = threading.Event(), threading.Event()

    def other_folder():
        try:
            with transaction.atomic():
                advisory_lock(LOCK)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_folder)
    thread.start()
    try:
        assert held.wait(10)
        assert backlog_fold(wait=False) is None
        assert backlog_size() == stored
    finally:
        release.set()
        thread.join(10)
    assert backlog_fold(wait=False) == stored
    assert Aggregate.objects.filter(outlet=dev.outlet).exists()


@pytest.mark.django_db
def test_the_fold_takes_a_large_backlog_in_bounded_statements():
    dev = device()
    stored = ingest_in_batches(uploads(dev.mn, DAY), defer=True)
    assert backlog_fold(limit=50) == stored
    inline = device()
    ingest_in_batches(uploads(inline.mn, DAY), defer=False)
    assert windows(outlet=dev.outlet) == windows(outlet=inline.outlet)


@pytest.mark.django_db
def test_the_warning_cycle_counts_the_backlog_before_it_judges():
    out, logger = site(period="hour")
    raw = [data_frame(logger.mn, DAY + 10 * MIN * k, {"w01018": {"Avg": 150.0, "Flag": "N"}}, cn="2051",
                      pw=logger.password) for k in range(6)]
    with clock.frozen(DAY + 62 * MIN):
        assert all(o.accepted for o in ingest.ingest_frames(frames(*raw), source="logger", defer_aggregates=True))
    assert backlog_size() == 6
    with clock.frozen(DAY + 65 * MIN):
        evaluate(DAY + 65 * MIN)
    assert backlog_size() == 0
    alert = Alert.objects.get(rule=Rule.EXCEEDANCE)
    assert (alert.outlet, alert.value) == (out, 150.0)


@pytest.mark.django_db
def test_the_aggregates_api_answers_with_windows_that_count_what_waited_in_the_backlog():
    dev = device()
    stored = ingest_in_batches(uploads(dev.mn, DAY), defer=True)
    api = APIClient()
    api.force_authenticate(factories.bureau_user())
    response = api.get("/api/v1/aggregates/", {"outlet": dev.outlet_id, "period": "half_hour", "pollutant": "w21003",
                                               "since": DAY.isoformat(), "until": (DAY + 120 * MIN).isoformat()})
    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [(row["start"], row["count"]) for row in rows] == [((DAY + 30 * MIN * n).isoformat(), 15) for n in range(4)]
    assert backlog_size() == 0 and Aggregate.objects.filter(outlet=dev.outlet).count() > 0
    assert stored == 127


def _send_all(port: int, raw: list[bytes]) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"".join(raw))
        reader, acks = hj212.FrameReader(), 0
        while acks < len(raw):
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            acks += len(reader.feed(chunk))
    return acks


@pytest.mark.django_db(transaction=True)
def test_a_busy_server_defers_its_windows_folds_them_while_it_runs_and_before_it_stops():
    ingest.forget_pollutants()  # a transactional test reloads the reference rows with new ids
    dev = device()
    srv = Server("127.0.0.1", 0, read_timeout=5,
                 writer=BatchWriter(retry_delay=0.1, defer_from=1, fold_every=0.2))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    assert srv.started.wait(10)
    start = dt.datetime.now(TZ).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=3)
    try:
        assert _send_all(srv.port, uploads(dev.mn, start)[:30]) == 30
        assert srv.writer.deferred_batches >= 1
        deadline = time.monotonic() + 10
        while srv.writer.folded < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.writer.folded == 60  # 30 packets of 2 pollutants, folded while the server runs
        assert _send_all(srv.port, uploads(dev.mn, start)[30:]) == 37
    finally:
        srv.stop(loop)
        thread.join(10)
        loop.close()
    assert srv.writer.folded == 127 and backlog_size() == 0  # the rest folded as it stopped
    assert Aggregate.objects.get(outlet=dev.outlet, pollutant__code="w21003", period="hour",
                                 start=start.astimezone(dt.UTC)).kind == "hour"
