"""Fault tests on throwaway PostgreSQL and Redis servers (see services.py): the services really stop,
crash and come back, and each test fails if a reading or a message is lost or duplicated."""
import datetime as dt
import json
import signal
import sys
import threading
import time
from collections import Counter

import pytest

from monitoring import hj212

from .devices import Logger, data_frame
from .services import free_port, wait_for

pytestmark = pytest.mark.slow
TZ = hj212.DEFAULT_TZ


def window() -> dt.datetime:
    """Start of a half-hour that ended between 30 and 60 minutes ago (readings there are plausible)."""
    now = dt.datetime.now(TZ)
    return now.replace(minute=now.minute - now.minute % 30, second=0, microsecond=0) - dt.timedelta(minutes=60)


def start_hj212_server(platform):
    port = free_port()
    proc = platform.spawn([sys.executable, "manage.py", "hj212_server", "--host", "127.0.0.1", "--port", str(port),
                           "--read-timeout", "30"], "hj212_server.log")

    def listening():
        assert proc.poll() is None, platform.log("hj212_server.log")
        import socket
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True

    wait_for(listening, 30, "hj212_server")
    return proc, port


def one(pg, sql, params=None):
    return pg.query(sql, params)[0][0]


def deliveries(pg) -> Counter:
    return Counter({(channel, status): n for channel, status, n in pg.query(
        "SELECT channel, status, count(*) FROM notifications_delivery GROUP BY 1, 2")})


def test_redis_down_readings_still_stored_and_warnings_catch_up(platform, pg, redis, gateway):
    """Redis (broker and cache) is stopped while a logger sends 30 minute readings over HJ 212 and the
    bulk API takes 30 more, and while the warning cycle runs: every reading is stored and acknowledged,
    the warnings open and their messages are recorded as pending. Redis comes back with a worker and
    beat's sweep: every e-mail and webhook message goes out exactly once, and a second sweep and a
    second cycle send nothing again."""
    [mn] = platform.step("site", "1")["mns"]
    start = window()
    redis.stop()
    assert not redis.running()

    _, port = start_hj212_server(platform)
    logger = Logger("127.0.0.1", port)
    for minute in range(30):
        qn, frame = data_frame(mn, start + dt.timedelta(minutes=minute), {"w01018": {"Avg": 250 + minute, "Flag": "N"}},
                               cn="2051")
        assert logger.send(qn, frame) == 1
    logger.close()
    rows = [{"mn": mn, "pollutant": "w21003", "kind": "minute", "avg": 40 + minute,
             "observed_at": (start + dt.timedelta(minutes=minute)).isoformat()} for minute in range(30)]
    (platform.root / "rows.json").write_text(json.dumps(rows))
    answer = platform.step("bulk", str(platform.root / "rows.json"))
    assert answer == {"status": 200, "body": {"received": 30, "stored": 30, "duplicates": 0}}
    assert one(pg, "SELECT count(*) FROM monitoring_reading") == 60
    assert pg.query("SELECT count, valid_count FROM monitoring_aggregate WHERE period = 'half_hour'") == [(30, 30)] * 2

    at = (start + dt.timedelta(minutes=35)).isoformat()
    result = platform.step("evaluate", at)  # the broker is down when the cycle queues its deliveries
    assert result["opened"] == 2
    assert one(pg, "SELECT count(*) FROM notifications_notification") == 2
    assert deliveries(pg) == {("inapp", "sent"): 2, ("email", "pending"): 2, ("webhook", "pending"): 2}

    redis.start()
    worker = platform.worker("catch-up")
    platform.step("send", "notifications.tasks.deliver_pending_notifications")  # beat, every minute
    wait_for(lambda: deliveries(pg)[("webhook", "sent")] == 2 and deliveries(pg)[("email", "sent")] == 2, 60,
             f"deliveries sent; worker log:\n{platform.log('catch-up.log')}")
    platform.step("send", "notifications.tasks.deliver_pending_notifications")
    assert platform.step("evaluate", at)["opened"] == 0
    platform.step("send", "notifications.tasks.deliver_pending_notifications")
    time.sleep(2)  # let the worker run the last sweeps
    assert worker.poll() is None
    assert deliveries(pg) == {("inapp", "sent"): 2, ("email", "sent"): 2, ("webhook", "sent"): 2}
    assert one(pg, "SELECT max(attempts) FROM notifications_delivery") == 1
    sources = Counter(item["body"]["source"] for item in gateway.received)
    assert len(sources) == 2 and set(sources.values()) == {1}, sources
    mails = list((platform.data_dir / "mail").glob("*.log"))
    assert sum(path.read_text().count("Subject: ") for path in mails) == 2


@pytest.mark.parametrize("outage", ["immediate", "kill"])
def test_postgres_restart_under_the_hj212_server(platform, pg, outage):
    """Four loggers send real-time packets while PostgreSQL goes down (an immediate shutdown, or every
    server process SIGKILLed) for 3 s and comes back. The running server reconnects on its own, the
    loggers' resends are acknowledged, every reading is stored exactly once, every acknowledged one
    is stored, and the half-hour aggregates count each reading once (a resend of a packet whose
    acknowledgement was lost must not count twice)."""
    mns = platform.step("site", "4")["mns"]
    server, port = start_hj212_server(platform)
    start = window()
    per_logger = 40
    acked: dict[str, set] = {mn: set() for mn in mns}
    sends: Counter = Counter()
    errors: list[BaseException] = []

    def run(mn: str) -> None:
        logger = Logger("127.0.0.1", port, ack_timeout=1.5)
        try:
            for second in range(per_logger):
                when = start + dt.timedelta(seconds=second)
                qn, frame = data_frame(mn, when, {"w01018": {"Rtd": 20 + second, "Flag": "N"},
                                                  "w21003": {"Rtd": 1 + second / 10, "Flag": "N"}})
                sends[mn] += logger.send(qn, frame)
                acked[mn].add(when)
                time.sleep(0.1)
        except BaseException as exc:  # noqa: BLE001 (reported by the test below)
            errors.append(exc)
        finally:
            logger.close()

    threads = [threading.Thread(target=run, args=(mn,)) for mn in mns]
    for thread in threads:
        thread.start()
    wait_for(lambda: one(pg, "SELECT count(*) FROM monitoring_reading") >= 2 * 4 * 8, 20, "first readings")
    if outage == "kill":
        pg.kill()
    else:
        pg.stop("immediate")
    during = {mn: len(times) for mn, times in acked.items()}
    time.sleep(3)
    pg.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert server.poll() is None, platform.log("hj212_server.log")

    assert all(len(times) == per_logger for times in acked.values())
    assert any(n < per_logger for n in during.values()), "the outage came after the loggers had finished"
    assert sum(sends.values()) > 4 * per_logger, "no logger had to resend: the outage was not noticed"
    stored = pg.query("SELECT d.mn, r.observed_at, count(*) FROM monitoring_reading r "
                      "JOIN monitoring_device d ON d.id = r.device_id GROUP BY 1, 2")
    assert {n for _, _, n in stored} == {2}  # both pollutants of every packet, none twice
    by_logger = {mn: {when for m, when, _ in stored if m == mn} for mn in mns}
    assert by_logger == acked  # nothing acknowledged that was not stored, nothing stored that was not sent
    aggregates = pg.query("SELECT a.outlet_id, a.pollutant_id, a.start, a.count, a.valid_count, "
                          "(SELECT count(*) FROM monitoring_reading r WHERE r.outlet_id = a.outlet_id "
                          " AND r.pollutant_id = a.pollutant_id AND r.observed_at >= a.start "
                          " AND r.observed_at < a.start + interval '30 minutes') "
                          "FROM monitoring_aggregate a WHERE a.period = 'half_hour'")
    assert len(aggregates) == 8
    assert all(count == valid == readings == per_logger for *_, count, valid, readings in aggregates), aggregates
    # The server stayed up: a new connection after the outage is served at once.
    logger = Logger("127.0.0.1", port)
    qn, frame = data_frame(mns[0], start + dt.timedelta(minutes=5), {"w01018": {"Rtd": 1, "Flag": "N"}})
    assert logger.send(qn, frame) == 1
    logger.close()


def children(pid: int) -> list[int]:
    import subprocess
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


@pytest.mark.parametrize("victim", ["worker", "pool_process"])
def test_worker_killed_in_the_middle_of_a_delivery(platform, pg, gateway, victim):
    """A warning cycle queues the delivery of two warnings. The worker that takes the task is SIGKILLed
    while the webhook gateway holds the first message (the worker is inside ``deliver``: the delivery
    row is locked, not yet marked sent). ``victim``: the whole solo worker (a new worker gets the task
    back after the Redis visibility timeout), or only the prefork pool process (the parent rejects the
    task on worker loss and it is requeued at once). The task runs again and every message reaches the
    gateway once under its key: the one in flight is sent again with the SAME Idempotency-Key, so the
    gateway keeps one; the database records each delivery sent once."""
    [mn] = platform.step("site", "1")["mns"]
    start = window()
    rows = [{"mn": mn, "pollutant": code, "kind": "minute", "avg": value, "observed_at":
             (start + dt.timedelta(minutes=minute)).isoformat()}
            for minute in range(30) for code, value in (("w01018", 300), ("w21003", 50))]
    (platform.root / "rows.json").write_text(json.dumps(rows))
    assert platform.step("bulk", str(platform.root / "rows.json"))["status"] == 200
    gateway.stall_next = True
    assert platform.step("evaluate", (start + dt.timedelta(minutes=35)).isoformat())["opened"] == 2  # queues it

    pool = "solo" if victim == "worker" else "prefork"
    first = platform.worker("first", pool=pool)
    assert gateway.arrived.wait(60), platform.log("first.log")
    if victim == "worker":
        platform.kill(first)
        assert deliveries(pg)[("webhook", "pending")] == 2  # the killed attempt left nothing behind
        platform.worker("second", pool=pool)
    else:
        [child] = children(first.pid)
        import os
        os.kill(child, signal.SIGKILL)
    gateway.release.set()
    wait_for(lambda: deliveries(pg)[("webhook", "sent")] == 2 and deliveries(pg)[("email", "sent")] == 2, 60,
             f"deliveries sent; logs:\n{platform.log('first.log')}\n{platform.log('second.log')}")
    time.sleep(5)  # past the visibility timeout: nothing more arrives
    assert deliveries(pg) == {("inapp", "sent"): 2, ("email", "sent"): 2, ("webhook", "sent"): 2}
    keys = [item["headers"]["Idempotency-Key"] for item in gateway.received]
    per_key = Counter(keys)
    assert len(per_key) == 2  # two messages, each under one key ...
    assert sorted(per_key.values()) == [1, 2]  # ... the one in flight at the kill sent again (the task ran again)
    by_key = {}
    for item in gateway.received:  # a resend carries the same message
        assert by_key.setdefault(item["headers"]["Idempotency-Key"], item["body"]) == item["body"]
    mails = list((platform.data_dir / "mail").glob("*.log"))
    assert sum(path.read_text().count("Subject: ") for path in mails) == 2
