"""Benchmark: notification deliveries per second by real Celery worker processes draining the platform's own
queueing of a storm (one outage notice to each of ``--enterprises`` enterprises, as in a city-wide outage),
with one worker process as the baseline, then two worker processes and one worker with a pool of four.

    .venv/bin/python benchmarks/bench_workers.py [--enterprises 40000] [--seconds 20] [--latency-ms 20]
                                                 [--workers 1x1,2x1,1x4] [--prefetch-multiplier 1]

Uses its own database (``enf_hw``, or ``BENCH_WORKERS_DB``; dropped and re-created) and its own Redis
database as the broker (``BENCH_WORKERS_REDIS``, default ``redis://127.0.0.1:6379/7``, flushed). The
enterprises, each with one account and its own contact phone, are bulk-inserted; the storm is created once,
with no worker running, by the platform's ``notify_many`` (one ``alert.incident`` notice each, as
``alerts/services/incidents.py`` sends them): one SMS delivery per enterprise, which ``notify_many`` queues
as it does in production, in chunk tasks (``deliver_deliveries``, ``NOTIFY_DELIVERY_CHUNK`` = 50 deliveries
each) on the ``notifications`` queue that every worker shares: ceil(N / 50) messages, 800 for 40,000,
checked before any worker starts. The benchmark queues no task of its own.

A local HTTP server answering after ``--latency-ms`` stands in for the SMS gateway
(``NOTIFY_SMS_BACKEND=notifications.sms.HttpBackend``, ``NOTIFY_SMS_URL``) and counts the texts per phone
number and the time of each answer. Each ``--workers`` entry ``PxC`` starts P ``celery -A config worker -Q
notifications -c C --prefetch-multiplier M`` processes on the storm's remaining chunks; once every worker
answers a ping, a window of ``--seconds`` opens, and the gateway's answers inside it give the
deliveries per second (the chunks the workers drain, with their database connection kept from task to
task, ``CELERY_DB_REUSE_MAX``). The workers are then stopped with a warm shutdown (SIGTERM: each task in
progress finishes its chunk; a message reserved but not started goes back to the queue), so the next
run continues on the same queue. The whole storm is not delivered (on 2 cores that would take minutes);
each run drains what it can in its window. The table gives each run's rate and its growth factor vs 1
worker process (1 x -c 1): ideally x2 for 2 x -c 1 and x4 for 1 x -c 4, a delivery mostly waiting on its
gateway.

Every delivery must be sent exactly once and none lost, also across a warm shutdown: after each run and
at the end, each phone number is texted at most once over all runs, the texted ones are ``sent`` with
exactly 1 attempt in the database and all others still ``pending`` with none; on the broker nothing is
left unacknowledged, and the delivery ids of the chunk messages still in the queue are exactly the
pending deliveries (so queued + sent = the storm: a message a worker had reserved is back). A violation
is printed and the benchmark exits with status 1. Worker processes and the gateway are stopped on exit.
"""
import argparse
import base64
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import ROOT, print_table, timer, use_database
from summary import record

CELERY = str(Path(sys.executable).with_name("celery"))
QUEUE = "notifications"
CHUNK_TASK = "notifications.tasks.deliver_deliveries"


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


class Gateway(ThreadingHTTPServer):
    """An SMS gateway on 127.0.0.1: answers each text ``{"code": 0}`` after ``latency`` seconds and counts
    the texts per phone number, with the time of each answer and the most requests in flight at once
    (how many deliveries were really sent side by side)."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, latency: float):
        self.latency, self.lock = latency, threading.Lock()
        self.reset()
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sms"

    def reset(self) -> None:
        with self.lock:
            self.texts, self.answers, self.in_flight, self.peak = Counter(), [], 0, 0

    def arrived(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def took(self, mobile: str) -> None:
        with self.lock:
            self.in_flight -= 1
            self.texts[mobile] += 1
            self.answers.append(time.monotonic())

    def answered(self, start: float, end: float) -> int:
        with self.lock:
            return sum(1 for at in self.answers if start <= at <= end)


class _GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.server.arrived()
        mobile = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["mobile"]
        time.sleep(self.server.latency)
        body = b'{"code": 0, "message": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.took(mobile)

    def log_message(self, *args) -> None:
        pass


class Workers:
    """``processes`` Celery workers of ``concurrency`` pool processes each on the notifications queue,
    each in a process group of its own, logging to ``logs``."""

    def __init__(self, env: dict, logs: Path, prefetch: int):
        self.env, self.logs, self.prefetch, self.running = env, logs, prefetch, []

    def start(self, name: str, processes: int, concurrency: int) -> float:
        """Start them; returns the time (monotonic) at which all of them answered a ping."""
        from config.celery import app

        nodes = [f"{name}-{k}@bench" for k in range(processes)]
        for node in nodes:
            log = (self.logs / f"{node}.log").open("w")
            self.running.append(subprocess.Popen(
                [CELERY, "-A", "config", "worker", "-Q", QUEUE, "-c", str(concurrency), "-n", node,
                 "--prefetch-multiplier", str(self.prefetch),
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            log.close()
        deadline = time.monotonic() + 90
        while not set(nodes) <= {n for reply in app.control.ping(timeout=0.5) for n in reply}:
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.running):
                raise RuntimeError(f"workers {nodes} did not come up; logs in {self.logs}")
        return time.monotonic()

    def stop(self) -> bool:
        """Warm shutdown (SIGTERM to each main process: the tasks in progress finish, the reserved messages
        go back to the queue), then kill what is left of each worker's process group after 30 s. Returns
        whether every worker ended by itself (a killed one may leave its message unacknowledged)."""
        clean = True
        for proc in self.running:
            proc.terminate()
        for proc in self.running:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                clean = False
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        self.running = []
        return clean


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def make_enterprises(n: int) -> None:
    """``n`` enterprises with one account each and a phone of their own (the account's e-mail and phone
    empty: the enterprise's contact phone is used, and no e-mail is sent)."""
    from enterprises.models import Enterprise, Industry, Role, User
    from enterprises.validators import make_credit_code
    from tests import factories

    town, industry = factories.township(), Industry.objects.get(code="C1713")
    enterprises = Enterprise.objects.bulk_create(
        [Enterprise(credit_code=make_credit_code("330483", f"W{k:07d}"), name=f"风暴企业{k}", industry=industry,
                    latitude=30.6, longitude=120.5, township=town, management_class="key",
                    contact_phone=phone(k)) for k in range(n)], batch_size=5000)
    User.objects.bulk_create([User(username=f"storm{e.pk}", password="!", role=Role.ENTERPRISE, enterprise=e)
                              for e in enterprises], batch_size=5000)


def phone(k: int) -> str:
    return f"139{k:08d}"


def storm() -> int:
    """One outage notice to every enterprise, through ``notify_many`` (which queues the chunk tasks on
    commit: at once, outside a transaction); returns the outbound deliveries created."""
    from enterprises.models import Enterprise
    from notifications.models import Channel, Delivery
    from notifications.services import Message, notify_many

    notify_many(Message(kind="alert.incident", subject="【通知】停电：您的排放口暂无数据",
                        body="平台自 08:00 起同时收不到多个排放口的数据，您的排放口在其中：可能是停电或网络故障。"
                             "现在无需处理；恢复后请检查数采仪。",
                        enterprise=enterprise, source="incident:bench", dedup_key=f"incident:bench:e{enterprise.pk}")
                for enterprise in Enterprise.objects.only("pk"))
    return Delivery.objects.exclude(channel=Channel.IN_APP).count()


class Broker:
    """What the bench's Redis database holds of the notifications queue."""

    def __init__(self, client):
        self.client = client

    def queued(self) -> list[dict]:
        """The messages waiting in the queue (every priority's list), decoded."""
        keys = [k for k in self.client.keys(f"{QUEUE}*") if self.client.type(k) == b"list"]
        return [json.loads(raw) for key in keys for raw in self.client.lrange(key, 0, -1)]

    def length(self) -> int:
        return sum(self.client.llen(k) for k in self.client.keys(f"{QUEUE}*") if self.client.type(k) == b"list")

    def unacked(self) -> int:
        return self.client.hlen("unacked")

    @staticmethod
    def chunk(message: dict) -> list[int]:
        """The delivery ids of one ``deliver_deliveries`` message (task protocol 2: [args, kwargs, embed])."""
        task = message["headers"].get("task")
        if task != CHUNK_TASK:
            raise RuntimeError(f"unexpected task in the {QUEUE} queue: {task}")
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, _, _ = json.loads(body)
        return list(args[0])


def check(texted: Counter, total: int, broker: Broker) -> dict:
    """After a run (workers stopped): the phones texted more than once over all runs or not in the storm,
    those texted whose delivery is not sent after exactly one attempt, the deliveries sent without a text or
    in another state than pending/sent, and on the broker: unacknowledged messages, pending deliveries in no
    queued message (lost), queued ids not pending (a chunk back in the queue after part of it was sent)."""
    from notifications.models import Channel, Delivery

    rows = list(Delivery.objects.exclude(channel=Channel.IN_APP).values_list("pk", "address", "status", "attempts"))
    by_address = {address: (status, attempts) for _, address, status, attempts in rows}
    pending = {pk for pk, _, status, attempts in rows if status == Delivery.Status.PENDING and attempts == 0}
    sent = {address for _, address, status, attempts in rows if status == Delivery.Status.SENT}
    odd = sorted(pk for pk, _, status, attempts in rows
                 if not (status == Delivery.Status.PENDING and attempts == 0) and status != Delivery.Status.SENT)
    twice = sorted(m for m, count in texted.items() if count > 1 or m not in by_address)
    not_sent = sorted(m for m in texted if m in by_address and by_address[m] != (Delivery.Status.SENT, 1))
    sent_untexted = sorted(sent - set(texted))
    messages = broker.queued()
    ids = [pk for message in messages for pk in Broker.chunk(message)]
    queued = set(ids)
    return {"twice": twice, "not_sent": not_sent, "sent_untexted": sent_untexted, "odd": odd,
            "unacked": broker.unacked(), "lost": sorted(pending - queued), "stale": sorted(queued - pending),
            "duplicated": len(ids) - len(queued), "messages": len(messages), "queued": len(ids),
            "pending": len(pending), "sent": len(sent), "total": total}


def violations(result: dict) -> list[str]:
    found = [f"{len(result[key])} {key.replace('_', ' ')}: {result[key][:10]}"
             for key in ("twice", "not_sent", "sent_untexted", "odd", "lost", "stale") if result[key]]
    if result["unacked"]:
        found.append(f"{result['unacked']} messages left unacknowledged on the broker")
    if result["duplicated"]:
        found.append(f"{result['duplicated']} delivery ids queued twice")
    if result["sent"] + result["queued"] != result["total"]:
        found.append(f"sent {result['sent']:,} + queued {result['queued']:,} != {result['total']:,} deliveries")
    return found


def run(workers: Workers, gateway: Gateway, broker: Broker, texted: Counter, total: int, processes: int,
        concurrency: int, seconds: float) -> dict:
    """``processes`` workers of ``concurrency`` each take the platform's chunk tasks for ``seconds`` from the
    moment all of them are up, then stop with a warm shutdown; the gateway's answers in the window are timed."""
    gateway.reset()
    chunks_before = broker.length()
    before = load()
    started = time.monotonic()
    opened = workers.start(f"w{processes}x{concurrency}", processes, concurrency)
    time.sleep(max(0.0, opened + seconds - time.monotonic()))
    closed = time.monotonic()
    in_window = gateway.answered(opened, closed)
    after = load()
    clean = workers.stop()
    stopped = time.monotonic()
    texted.update(gateway.texts)
    result = check(texted, total, broker)
    total_processes = processes * concurrency
    result.update(
        label=f"{processes} x -c {concurrency} ({total_processes} process{'es' if total_processes > 1 else ''})",
        rate=in_window / (closed - opened), in_window=in_window, seconds=closed - opened,
        run_texts=sum(gateway.texts.values()), before_window=gateway.answered(started, opened),
        chunks=chunks_before - result["messages"], startup_s=opened - started, shutdown_s=stopped - closed,
        clean=clean, load=f"{before} -> {after}", peak=gateway.peak)
    result["violations"] = violations(result)
    if not clean:
        result["violations"].append("a worker did not end within 30 s of SIGTERM and was killed")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=40000, help="enterprises told in the storm")
    parser.add_argument("--seconds", type=float, default=20, help="each run's window, from all workers up")
    parser.add_argument("--latency-ms", type=float, default=20, help="the SMS gateway's answer time")
    parser.add_argument("--workers", default="1x1,2x1,1x4",
                        help="runs, each PxC: P worker processes of -c C; the first is the baseline")
    parser.add_argument("--prefetch-multiplier", type=int, default=1,
                        help="the workers' --prefetch-multiplier (messages reserved per pool process)")
    args = parser.parse_args()
    configs = [tuple(int(n) for n in spec.split("x")) for spec in args.workers.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below stops the workers
    load_before = open("/proc/loadavg").read().split()[:3]

    broker_url = os.environ.get("BENCH_WORKERS_REDIS", "redis://127.0.0.1:6379/7")
    gateway = Gateway(args.latency_ms / 1000)
    # notify_many queues the chunk tasks from this process: the same broker, no integration webhook besides SMS
    os.environ.update(REDIS_URL=broker_url, NOTIFY_WEBHOOK_URL="")
    url = use_database(os.environ.get("BENCH_WORKERS_DB", "enf_hw"))
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    broker = Broker(client)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": broker_url, "NOTIFY_WEBHOOK_URL": "",
           "NOTIFY_SMS_BACKEND": "notifications.sms.HttpBackend", "NOTIFY_SMS_URL": gateway.url,
           "NOTIFY_SMS_TOKEN": "bench", "LOG_LEVEL": "WARNING", "DJANGO_DEBUG": "0",  # as deployed
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench-workers-not-a-secret",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    workers = Workers(env, Path(tempfile.mkdtemp(prefix="bench_workers_")), args.prefetch_multiplier)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    timings, runs, texted, problems = {}, [], Counter(), []
    chunk = settings.NOTIFY_DELIVERY_CHUNK
    try:
        with timer(timings, "rows_s"):
            make_enterprises(args.enterprises)
        with timer(timings, "storm_s"):
            deliveries = storm()
        messages, expected = broker.length(), math.ceil(args.enterprises / chunk)
        print(f"storm: {deliveries:,} outbound deliveries, {messages:,} messages in the {QUEUE} queue "
              f"(ceil({args.enterprises:,} / {chunk}) = {expected:,}), load {load()}", flush=True)
        start = check(texted, deliveries, broker)
        problems += violations(start)
        if deliveries != args.enterprises or messages != expected or start["pending"] != deliveries:
            problems.append(f"the storm queued {messages:,} messages for {deliveries:,} deliveries "
                            f"({start['pending']:,} pending), not {expected:,} for {args.enterprises:,}")
        if problems:
            raise SystemExit("the storm is not queued as expected: " + "; ".join(problems))
        for p, c in configs:
            result = run(workers, gateway, broker, texted, deliveries, p, c, args.seconds)
            runs.append(result)
            print(f"{result['label']}: {result['rate']:,.1f} deliveries/s ({result['in_window']:,} in "
                  f"{result['seconds']:.1f} s), {result['chunks']} chunks taken, {result['run_texts']:,} texts in "
                  f"all, {result['messages']} messages left, {result['unacked']} unacked, load {result['load']}"
                  + (f"; VIOLATIONS: {result['violations']}" if result["violations"] else ""), flush=True)
    finally:
        workers.stop()
        gateway.shutdown()
        end = check(texted, deliveries, broker) if runs else None
        client.flushdb()

    problems = [f"{run['label']}: {v}" for run in runs for v in run["violations"]]
    problems += [f"at the end: {v}" for v in violations(end)]
    exact = not problems

    base = runs[0]["rate"]
    rows = []
    for r in runs:
        rows.append((r["label"],
                     f"{r['rate']:,.1f} ({r['in_window']:,} in {r['seconds']:.1f} s, load {r['load']})",
                     f"x{r['rate'] / base:.2f} ({r['peak']})",
                     f"{r['chunks']} ({r['run_texts']:,} texts; up {r['startup_s']:.1f} s, "
                     f"stop {r['shutdown_s']:.1f} s; {r['messages']} left, {r['unacked']} unacked)"))
    title = (f"Storm of {args.enterprises:,} notices ({deliveries:,} SMS deliveries in {math.ceil(deliveries / chunk)} "
             f"chunk tasks of {chunk}, queued by notify_many in {timings['storm_s']:.1f} s; rows in "
             f"{timings['rows_s']:.1f} s), gateway answering after {args.latency_ms:g} ms, {args.seconds:g} s per "
             f"run, prefetch multiplier {args.prefetch_multiplier}, {os.cpu_count()} CPUs, load average "
             f"{' '.join(load_before)} -> {' '.join(open('/proc/loadavg').read().split()[:3])}")
    headers = ("worker processes", "deliveries/s in the window (load average)", "vs 1 process (most in flight)",
               "chunks taken (texts incl. warm shutdown; queue after)")
    print_table(title, rows, headers)
    print(f"sent: {end['sent']:,} of the storm's {deliveries:,} deliveries ({sum(texted.values()):,} texts to the "
          f"gateway), {end['queued']:,} still queued in {end['messages']} chunk messages, {end['unacked']} "
          f"unacknowledged. Every delivery sent at most once, none lost on shutdown: {exact}")
    if problems:
        print("VIOLATIONS:\n  " + "\n  ".join(problems) + f"\nworker logs in {workers.logs}")
    else:
        shutil.rmtree(workers.logs)
    rates = {f"deliveries_per_s_{p}x{c}": r["rate"] for (p, c), r in zip(configs, runs)}
    growth = {f"growth_{p}x{c}": r["rate"] / base for (p, c), r in zip(configs[1:], runs[1:])}
    record("workers", {
        "deliveries_per_s": max(r["rate"] for r in runs), "deliveries_per_s_baseline": base,
        "baseline": f"1 worker process ({args.workers.split(',')[0]}) draining notify_many's chunk tasks",
        **rates, **growth, "chunks_taken": {f"{p}x{c}": r["chunks"] for (p, c), r in zip(configs, runs)},
        "window_s": args.seconds, "prefetch_multiplier": args.prefetch_multiplier,
        "storm_create_s": timings["storm_s"], "storm_messages": math.ceil(deliveries / chunk),
        "exactly_once": exact, "loadavg": load()})
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
