"""Benchmark: HJ 212 readings per second through the TCP server into PostgreSQL, against a naive
one-row-at-a-time ORM path on the same kind of packets.

    .venv/bin/python benchmarks/bench_ingest.py [--devices 200] [--seconds 20] [--window 4]

Uses its own database (``enf_bench_ingest``, dropped and re-created). The server runs as a real
``manage.py hj212_server`` subprocess; N simulated devices connect over 127.0.0.1 from this process,
each sending real-time packets of 8 pollutants and keeping ``--window`` packets in flight (a device
waits for the 9014 acknowledgement, which the server sends only after the readings are committed).
The platform runs with one server process, then with two sharing the port (SO_REUSEPORT), each on
readings of its own hours. The same run then measures PostgreSQL's own ceiling, ``COPY`` of rows like
the stored ones into the same partitioned table (no de-duplication, no aggregates, no counters), and
prints the platform's share of it. The baseline parses the same kind of frames and stores each reading
with its own ORM queries and saves (reading, half-hour and hourly aggregate, device counters),
time-bounded, and its rate is reported.
"""
import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.common import ROOT, print_table, use_database  # noqa: E402
from benchmarks.summary import record  # noqa: E402

POLLUTANTS = {"a21026": 35.0, "a21002": 80.0, "a34013": 8.0, "a19001": 9.5, "a01012": 120.0, "a01011": 12.0,
              "a01013": 0.5, "a01014": 6.0}
TZ = dt.timezone(dt.timedelta(hours=8))


def make_devices(count: int) -> list[str]:
    from monitoring.models import Device
    from tests import factories

    town = factories.township()
    mns = []
    for n in range(count):
        outlet = factories.outlet(factories.permit(factories.enterprise(town)), code="DA001", kind="air",
                                  limits={"a21026": 100, "a21002": 200, "a34013": 20})
        mns.append(Device.objects.create(mn=f"BENCH{n:019d}", outlet=outlet, password="123456").mn)  # data_segment PW
    return mns


def frames_for(mn: str, start: dt.datetime, count: int, seed: int) -> list[bytes]:
    from monitoring import hj212

    out = []
    for i in range(count):
        when = start + dt.timedelta(seconds=30 * i)
        items = {code: {"Rtd": round(base * (1 + ((i * 7 + seed) % 13 - 6) / 50), 3), "Flag": "N"}
                 for code, base in POLLUTANTS.items()}
        out.append(hj212.build_frame(hj212.data_segment(cn="2011", mn=mn, qn=f"{when:%Y%m%d%H%M%S}000", flag=5,
                                                        cp=hj212.data_cp(when, items))))
    return out


async def run_device(port: int, frames: list[bytes], window: int, deadline: float, stats: dict) -> None:
    from monitoring.hj212 import Frame, FrameReader

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framer, sent, acked = FrameReader(), 0, 0
    try:
        while acked < sent or (sent < len(frames) and time.monotonic() < deadline):
            while sent < len(frames) and sent - acked < window and time.monotonic() < deadline:
                writer.write(frames[sent])
                sent += 1
            await writer.drain()
            chunk = await asyncio.wait_for(reader.read(65536), 30)
            if not chunk:
                break
            acked += sum(isinstance(f, Frame) for f in framer.feed(chunk))
    finally:
        writer.close()
        stats["acked"] += acked


async def drive(port: int, plans: list[list[bytes]], window: int, seconds: float) -> tuple[int, float]:
    stats = {"acked": 0}
    started = time.monotonic()
    await asyncio.gather(*(run_device(port, frames, window, started + seconds, stats) for frames in plans))
    return stats["acked"], time.monotonic() - started


def naive_store(frame_bytes: bytes) -> int:
    """The baseline: one query or save per step, autocommit, no batching."""
    from core import clock
    from enterprises.models import Pollutant
    from monitoring import hj212
    from monitoring.models import Aggregate, Device, Reading

    [frame] = hj212.FrameReader().feed(frame_bytes)
    hj212.check_crc(frame.data, frame.crc)
    packet = hj212.parse_packet(frame.data)
    device = Device.objects.get(mn=packet.mn)
    now = clock.now()
    stored = 0
    for r in hj212.readings(packet):
        pollutant = Pollutant.objects.get(code=r.code)
        if Reading.objects.filter(device=device, pollutant=pollutant, kind=r.kind, observed_at=r.observed_at).exists():
            continue
        Reading(device=device, pollutant=pollutant, kind=r.kind, observed_at=r.observed_at, outlet_id=device.outlet_id,
                value=r.value, rtd=r.rtd, flag=r.flag, received_at=now).save(force_insert=True)
        stored += 1
        utc = r.observed_at.astimezone(dt.UTC)
        hour = utc.replace(minute=0, second=0, microsecond=0)
        for period, start in (("hour", hour), ("half_hour", hour + dt.timedelta(minutes=30 * (utc.minute >= 30)))):
            agg, _ = Aggregate.objects.get_or_create(outlet_id=device.outlet_id, pollutant=pollutant, period=period,
                                                     start=start, defaults={"updated_at": now})
            agg.count += 1
            agg.valid_count += 1
            agg.sum += r.value
            agg.avg = agg.sum / agg.valid_count
            agg.min = r.value if agg.min is None else min(agg.min, r.value)
            agg.max = r.value if agg.max is None else max(agg.max, r.value)
            agg.updated_at = now
            agg.save()
    device.accepted_packets += 1
    device.stored_readings += stored
    device.last_seen_at = now
    device.save()
    return stored


def run_servers(url: str, processes: int, plans: list[list[bytes]], window: int, seconds: float,
                devices: int) -> tuple[int, int, float]:
    """Start ``processes`` HJ 212 servers on one port, drive the devices' plans through them for
    ``seconds``; returns (readings stored, packets acknowledged, seconds). The seconds include counting
    into their windows what the servers left in the aggregate backlog when the devices stopped (a busy
    server defers its windows and folds them every few seconds)."""
    from monitoring.models import Reading
    from monitoring.services.aggregate_backlog import backlog_fold

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "manage.py", "hj212_server", "--host", "127.0.0.1", "--port", str(port)]
    # as deployed: DEBUG off (no debug cursor copying every batch's statement)
    env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING", HJ212_MAX_CONNECTIONS_PER_ADDRESS=str(devices + 10),
               DJANGO_DEBUG="0", DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-ingest-not-a-secret",
               DJANGO_ALLOWED_HOSTS="127.0.0.1")
    servers = [subprocess.Popen(command + (["--reuse-port"] if processes > 1 else []), cwd=ROOT, env=env)
               for _ in range(processes)]
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0 if processes > 1 else 0)  # the second process binds too
        # a short warm-up on the last packets of each plan, not counted
        asyncio.run(drive(port, [p[-5:] for p in plans], window, 2))
        backlog_fold()
        before = Reading.objects.count()
        acked, elapsed = asyncio.run(drive(port, [p[:-5] for p in plans], window, seconds))
        started = time.monotonic()
        backlog_fold()
        return Reading.objects.count() - before, acked, elapsed + time.monotonic() - started
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


def copy_rate(devices: list, start: dt.datetime, seconds: float) -> tuple[int, float]:
    """``COPY`` rows like the platform's (8 pollutants a packet, real-time kind, outlet, values, flag) into
    the same partitioned table, 8,000 rows a transaction, for about ``seconds``; returns (rows, seconds)."""
    import io

    from django.db import connection, transaction

    from monitoring.services.ingest import codebook

    ids = [codebook().ids[code] for code in POLLUTANTS]
    columns = "device_id, pollutant_id, kind, observed_at, outlet_id, value, rtd, flag, received_at, source"
    rows, started, step = 0, time.monotonic(), 0
    while time.monotonic() - started < seconds:
        buffer = io.StringIO()
        for _ in range(5):
            when = (start + dt.timedelta(seconds=30 * step)).isoformat()
            step += 1
            for device_id, outlet_id in devices:
                for n, pollutant_id in enumerate(ids):
                    buffer.write(f"{device_id}\t{pollutant_id}\trealtime\t{when}\t{outlet_id}\t{n + 1.5}\t"
                                 f"{n + 1.5}\tN\t{when}\ttcp\n")
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cur:
            cur.copy_expert(f"COPY monitoring_reading ({columns}) FROM STDIN", buffer)
        rows += 5 * len(devices) * len(ids)
    return rows, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="sending time of each path")
    parser.add_argument("--window", type=int, default=4, help="packets in flight per device")
    parser.add_argument("--processes", default="1,2", help="server processes of each platform run")
    args = parser.parse_args()
    load_before = open("/proc/loadavg").read().split()[:3]

    url = use_database(os.environ.get("BENCH_INGEST_DB", "enf_bench_ingest"))
    from django.db import connection
    from django.db.models import Sum

    from monitoring.models import Aggregate, Device, Reading
    from monitoring.services import partitions

    mns = make_devices(args.devices)
    per_device = int(args.seconds * 5000 / args.devices) + 50  # more than can be sent in the time (40,000 readings/s)
    start = (dt.datetime.now(TZ) - dt.timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
    # the days of the data have their partitions, as beat keeps them ahead in production
    partitions.ensure_partitions(start.date() + dt.timedelta(days=n) for n in range(-1, 5))
    runs = {}
    for n, processes in enumerate(int(p) for p in args.processes.split(",")):
        hours = start + dt.timedelta(seconds=30 * per_device * n)  # each run on its own hours: nothing to de-duplicate
        plans = [frames_for(mn, hours, per_device, k) for k, mn in enumerate(mns)]
        runs[processes] = run_servers(url, processes, plans, args.window, args.seconds, args.devices)
    # every stored reading (all real-time) counted once in its half-hour window, deferred or not
    counted_once = (Aggregate.objects.filter(period="half_hour").aggregate(n=Sum("count"))["n"]
                    == Reading.objects.count())
    best = max(runs, key=lambda p: runs[p][0] / runs[p][2])
    stored, acked, elapsed = runs[best]
    platform_rate = stored / elapsed

    # PostgreSQL's own ceiling on the same table, the day after
    copied, copy_elapsed = copy_rate(list(Device.objects.values_list("pk", "outlet_id")), start + dt.timedelta(days=1),
                                     min(args.seconds, 10))
    copy_per_s = copied / copy_elapsed

    # Baseline: the same kind of packets from the same devices, two days later (nothing to de-duplicate).
    later = start + dt.timedelta(days=2)
    baseline_frames = [f for batch in zip(*[frames_for(mn, later, per_device, n) for n, mn in enumerate(mns)])
                       for f in batch]
    base_stored, started = 0, time.monotonic()
    for frame in baseline_frames:
        base_stored += naive_store(frame)
        if base_stored >= stored or time.monotonic() - started > args.seconds:
            break
    base_elapsed = time.monotonic() - started
    base_rate = base_stored / base_elapsed
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_reading_default")
        in_default = cur.fetchone()[0]
    load_after = open("/proc/loadavg").read().split()[:3]

    rows = []
    for processes, (p_stored, p_acked, p_elapsed) in runs.items():
        rate = p_stored / p_elapsed
        rows += [(f"{processes} server process(es): readings stored / s", f"{p_stored:,} / {p_elapsed:.1f}", ""),
                 (f"{processes} server process(es): readings/s", f"{rate:,.0f}", f"{base_rate:,.0f}"),
                 (f"{processes} server process(es): acked x 8 = stored",
                  f"{p_acked * len(POLLUTANTS) == p_stored}", ""),
                 (f"{processes} server process(es): share of COPY", f"{rate / copy_per_s:.0%}", "")]
    rows += [("COPY into the same table, rows/s", f"{copy_per_s:,.0f}", ""),
             ("baseline readings stored / s", "", f"{base_stored:,} / {base_elapsed:.1f}"),
             ("speed-up (best run)", f"{platform_rate / base_rate:.1f}x", "1x")]
    print_table(f"HJ 212 ingestion, {args.devices} devices x 8 pollutants per packet, window {args.window}, "
                f"{os.cpu_count()} CPUs, load average {' '.join(load_before)} -> {' '.join(load_after)}", rows)
    record("ingest", {"readings_per_s": platform_rate, "readings_per_s_baseline": base_rate,
                      "baseline": "(naive per-packet store)", "copy_rows_per_s": copy_per_s,
                      "copy_share": platform_rate / copy_per_s, "server_processes": best,
                      **{f"readings_per_s_{p}_processes": r[0] / r[2] for p, r in runs.items()}})
    exact = all(r[1] * len(POLLUTANTS) == r[0] for r in runs.values())
    print(f"goal >= 20,000 readings/s sustained: {'met' if platform_rate >= 20000 else 'NOT met'} "
          f"({platform_rate:,.0f} with {best} process(es)); share of COPY {platform_rate / copy_per_s:.0%} "
          f"(goal >= 60%: {'met' if platform_rate >= 0.6 * copy_per_s else 'NOT met'}); "
          f"every acknowledged packet stored exactly once: {exact}; every stored reading counted once in its "
          f"half-hour window: {counted_once}; rows left in the default partition: {in_default}")


if __name__ == "__main__":
    main()
