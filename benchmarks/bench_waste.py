"""Benchmark: vehicle positions stored per second over JT/T 808 and over the REST bulk upload, and the
trajectory check for all shipments of a day, each beside a naive baseline in the same run.

    .venv/bin/python benchmarks/bench_waste.py [--terminals 50] [--seconds 15] [--window 20] [--shipments 400]

Uses its own database (``enf_bench_waste``, dropped and re-created).

* JT/T 808: a real ``manage.py jt808_server`` subprocess; ``--terminals`` simulated terminals connect
  over 127.0.0.1, register, authenticate and send location reports keeping ``--window`` in flight (a
  report is acknowledged only after it is committed). Baseline: the same frames decoded and checked,
  each point stored by its own ORM ``get_or_create`` in its own transaction.
* REST: ``POST /api/v1/waste/gps/bulk/`` in batches of 1,000 rows through the real view (Django's test
  client, no HTTP socket). Baseline: the same rows validated, each stored by its own ``get_or_create``.
* Trajectory check: ``--shipments`` shipments of one day with a position a minute (a few with a gap or
  a detour); the set-based statement (``waste.services.checks.trajectory_findings``) against a loop
  fetching each shipment's positions and computing gaps, the farthest point and stops in Python. Both
  must find the same problems, and so must the portable pass the embedded SQLite runs
  (``trajectory_rows_portable``: one ordered query of positions, cut per shipment in Python), timed on
  the same PostgreSQL data.
Each figure is printed with the load average at the time it was measured (2 shared cores).
"""
import argparse
import asyncio
import datetime as dt
import math
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.common import ROOT, print_table, use_database  # noqa: E402
from benchmarks.summary import record  # noqa: E402

BEIJING = dt.timezone(dt.timedelta(hours=8))


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_vehicles(count: int):
    from tests import factories
    from waste.models import Vehicle

    carrier = factories.enterprise(factories.township())
    return [Vehicle.objects.create(plate=f"浙B{n:05d}", carrier=carrier, terminal_phone=f"1380000{n:04d}")
            for n in range(count)]


async def run_terminal(port, phone, plate, start, window, deadline, stats) -> None:
    from waste import jt808

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    splitter = jt808.FrameSplitter()
    serial = 0

    async def replies(count: int) -> list:
        got = []
        while len(got) < count:
            chunk = await reader.read(65536)
            if not chunk:
                raise ConnectionError("server closed")
            contents, _ = splitter.feed(chunk)
            got += [jt808.decode(c) for c in contents]
        return got

    serial += 1
    writer.write(jt808.encode(jt808.REGISTER, phone, serial, jt808.registration_body(plate=plate)))
    code = (await replies(1))[0].body[3:].decode()
    serial += 1
    writer.write(jt808.encode(jt808.AUTHENTICATE, phone, serial, jt808.authentication_body(code)))
    await replies(1)
    k = 0
    while time.monotonic() < deadline:
        frames = []
        for _ in range(window):
            serial = (serial + 1) & 0xFFFF
            frames.append(jt808.encode(jt808.LOCATION, phone, serial, jt808.location_body(
                latitude=30.6 + k * 1e-5, longitude=120.5 + k * 1e-5, at=start + dt.timedelta(seconds=k),
                speed_kmh=40.0, direction=45)))
            k += 1
        writer.write(b"".join(frames))
        acks = await replies(window)
        stats["acked"] += sum(1 for a in acks if jt808.parse_ack(a)[2] == jt808.OK)
    writer.close()


def bench_jt808(args) -> tuple[dict, list]:
    from django.db import transaction

    from waste import jt808
    from waste.models import GpsPoint
    from waste.services.trajectories import check_point

    vehicles = make_vehicles(args.terminals)
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    server = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "jt808_server", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        start = dt.datetime.now(BEIJING).replace(microsecond=0) - dt.timedelta(hours=10)
        stats = {"acked": 0}

        async def all_terminals():
            deadline = time.monotonic() + args.seconds
            await asyncio.gather(*[run_terminal(port, v.terminal_phone, v.plate, start, args.window, deadline, stats)
                                   for v in vehicles])

        began = time.monotonic()
        asyncio.run(all_terminals())
        elapsed = time.monotonic() - began
        load = loadavg()
    finally:
        server.terminate()
        server.wait(10)
    stored = GpsPoint.objects.count()
    rate = stored / elapsed

    # Baseline: the same kind of frames, decoded and checked, one ORM get_or_create per point.
    later = start + dt.timedelta(hours=5)
    now = dt.datetime.now(BEIJING)
    base, began = 0, time.monotonic()
    k = 0
    while base < stored and time.monotonic() - began < args.seconds:
        vehicle = vehicles[k % len(vehicles)]
        frame = jt808.encode(jt808.LOCATION, vehicle.terminal_phone, k & 0xFFFF, jt808.location_body(
            latitude=30.6, longitude=120.5, at=later + dt.timedelta(seconds=k // len(vehicles)), speed_kmh=40.0))
        loc = jt808.parse_location(jt808.decode(frame[1:-1]))
        if not check_point(latitude=loc.latitude, longitude=loc.longitude, at=loc.at, now=now,
                           speed=loc.speed_kmh)[0]:
            with transaction.atomic():
                GpsPoint.objects.get_or_create(vehicle=vehicle, at=loc.at, defaults={
                    "latitude": loc.latitude, "longitude": loc.longitude, "speed": loc.speed_kmh, "source": "jt808",
                    "received_at": now})
            base += 1
        k += 1
    base_elapsed = time.monotonic() - began
    base_load = loadavg()
    figures = {"points_per_s": rate, "points_per_s_baseline": base / base_elapsed}
    rows = [("JT/T 808 positions stored", f"{stored:,} in {elapsed:.1f} s", f"{base:,} in {base_elapsed:.1f} s"),
            ("JT/T 808 positions/s", f"{rate:,.0f} (load {load})", f"{base / base_elapsed:,.0f} (load {base_load})"),
            ("acknowledged = stored", str(stats["acked"] == stored), "")]
    return figures, rows


def bench_rest(args) -> tuple[dict, list]:
    from django.db import transaction
    from rest_framework.test import APIClient

    from enterprises.models import Role
    from tests import factories
    from waste.models import GpsPoint, Vehicle
    from waste.services.trajectories import parse_row

    vehicles = list(Vehicle.objects.all()[:20])
    user = factories.user(Role.BUREAU)
    client = APIClient()
    client.force_authenticate(user)
    start = dt.datetime.now(BEIJING).replace(microsecond=0) - dt.timedelta(hours=20)
    rows = [{"plate": v.plate, "at": (start + dt.timedelta(seconds=k)).isoformat(), "latitude": 30.6 + k * 1e-6,
             "longitude": 120.5, "speed": 35.0, "direction": 90} for k in range(args.rest_rows // len(vehicles))
            for v in vehicles]
    before = GpsPoint.objects.count()
    began = time.monotonic()
    for i in range(0, len(rows), 1000):
        response = client.post("/api/v1/waste/gps/bulk/", rows[i:i + 1000], format="json")
        assert response.status_code == 200, response.content[:300]
    elapsed = time.monotonic() - began
    load = loadavg()
    stored = GpsPoint.objects.count() - before
    again = client.post("/api/v1/waste/gps/bulk/", rows[:1000], format="json").json()

    by_plate = {v.plate: v for v in vehicles}
    later = [{**r, "at": (dt.datetime.fromisoformat(r["at"]) + dt.timedelta(hours=6)).isoformat()} for r in rows]
    now = dt.datetime.now(BEIJING)
    base, began = 0, time.monotonic()
    for row in later:
        point = parse_row(row, by_plate, lambda v: True, now)
        with transaction.atomic():
            GpsPoint.objects.get_or_create(vehicle_id=point.vehicle_id, at=point.at, defaults={
                "latitude": point.latitude, "longitude": point.longitude, "speed": point.speed, "source": "api",
                "received_at": now})
        base += 1
        if time.monotonic() - began > args.seconds:
            break
    base_elapsed = time.monotonic() - began
    base_load = loadavg()
    figures = {"rest_points_per_s": stored / elapsed, "rest_points_per_s_baseline": base / base_elapsed}
    rows_out = [("REST positions stored", f"{stored:,} in {elapsed:.1f} s", f"{base:,} in {base_elapsed:.1f} s"),
                ("REST positions/s", f"{stored / elapsed:,.0f} (load {load})",
                 f"{base / base_elapsed:,.0f} (load {base_load})"),
                ("resent batch of 1,000: stored / duplicates", f"{again['stored']} / {again['duplicates']}", "")]
    return figures, rows_out


def make_day(args):
    """``--shipments`` shipments of one day with a position a minute; every 10th has a 30-minute gap,
    every 25th a detour."""
    from tests import factories
    from waste.models import Facility, GpsPoint, Manifest, Vehicle, WasteCategory

    town = factories.township()
    plant = factories.enterprise(town, latitude=30.70, longitude=120.55)
    facility = Facility.objects.create(name="热电厂", operator=plant, latitude=30.70, longitude=120.55)
    ash = WasteCategory.objects.get(code="SW02")
    carrier = factories.enterprise(town)
    day = dt.datetime(2026, 11, 20, 6, 0, tzinfo=BEIJING)
    producers = [factories.enterprise(town, latitude=30.55 + (n % 20) * 0.004, longitude=120.40 + (n % 17) * 0.004)
                 for n in range(40)]
    manifests, points = [], []
    for n in range(args.shipments):
        vehicle = Vehicle.objects.create(plate=f"浙D{n:05d}", carrier=carrier)
        producer = producers[n % len(producers)]
        dep = day + dt.timedelta(minutes=(n * 7) % 600)
        manifests.append(Manifest(number=f"B{n:08d}", producer=producer, category=ash, quantity=10, unit="t",
                                  packaging="bulk", carrier=carrier, vehicle=vehicle, receiver=facility,
                                  planned_departure=dep, planned_arrival=dep + dt.timedelta(hours=2), departed_at=dep,
                                  arrived_at=dep + dt.timedelta(minutes=60), state="received", created_at=dep))
        for k in range(61):
            if n % 10 == 3 and 20 <= k < 50:
                continue
            share = k / 60
            lat = producer.latitude + (30.70 - producer.latitude) * share + (0.08 if n % 25 == 7 and 25 < k < 35 else 0)
            lon = producer.longitude + (120.55 - producer.longitude) * share
            points.append(GpsPoint(vehicle=vehicle, at=dep + dt.timedelta(minutes=k), latitude=lat, longitude=lon,
                                   speed=0 if k in (0, 60) else 38.0, source="api", received_at=dep))
    Manifest.objects.bulk_create(manifests)
    GpsPoint.objects.bulk_create(points, batch_size=5000)
    return {m.pk: m.producer_id for m in Manifest.objects.filter(number__startswith="B")}, day + dt.timedelta(days=1)


def naive_trajectory(now, cfg, producers) -> set:
    """The baseline: per shipment, fetch its positions and compute everything in Python."""
    from waste.models import GpsPoint, Manifest

    found = set()
    for manifest in Manifest.objects.filter(pk__in=list(producers)).select_related("producer", "receiver"):
        start, end = manifest.departed_at, min(manifest.arrived_at or now, now)
        rows = list(GpsPoint.objects.filter(vehicle_id=manifest.vehicle_id, at__gte=start, at__lte=end)
                    .order_by("at").values_list("at", "latitude", "longitude", "speed"))
        times = [start, *[r[0] for r in rows], end]
        if (not rows and end - start > cfg.gap) or (rows and max(b - a for a, b in zip(times, times[1:])) > cfg.gap):
            found.add((manifest.pk, "trajectory_missing"))
        ay, ax = manifest.producer.latitude, manifest.producer.longitude
        by, bx = manifest.receiver.latitude, manifest.receiver.longitude
        kx = 111.32 * math.cos(math.radians(ay))
        vx, vy = (bx - ax) * kx, (by - ay) * 110.57
        far = 0.0
        for _, lat, lon, _ in rows:
            px, py = (lon - ax) * kx, (lat - ay) * 110.57
            t = max(0.0, min(1.0, (px * vx + py * vy) / ((vx * vx + vy * vy) or 1)))
            far = max(far, math.hypot(px - t * vx, py - t * vy))
        if far > float(cfg.corridor_km):
            found.add((manifest.pk, "route_deviation"))
    return found


def bench_check(args) -> tuple[dict, list]:
    from waste.models import TransferSettings
    from waste.services import checks

    producers, now = make_day(args)
    cfg = TransferSettings.current()
    began = time.monotonic()
    findings = checks.trajectory_findings(now, cfg, list(producers), producers)
    elapsed = time.monotonic() - began
    load = loadavg()
    began = time.monotonic()
    naive = naive_trajectory(now, cfg, producers)
    base_elapsed = time.monotonic() - began
    base_load = loadavg()
    began = time.monotonic()
    portable = checks.findings_of(checks.trajectory_rows_portable(now, cfg, list(producers)), cfg, producers)
    portable_elapsed = time.monotonic() - began
    portable_load = loadavg()
    found = {(f.manifest_id, f.rule) for f in findings}
    portable_found = {(f.manifest_id, f.rule) for f in portable}
    figures = {"day_check_s": elapsed, "day_check_s_baseline": base_elapsed, "day_check_s_portable": portable_elapsed}
    rows = [(f"trajectory check, {len(producers)} shipments of a day", f"{elapsed:.3f} s (load {load})",
             f"{base_elapsed:.3f} s (load {base_load})"),
            ("  the embedded SQLite's portable pass (same database)", f"{portable_elapsed:.3f} s (load {portable_load})",
             ""),
            ("problems found (gaps + detours)", f"{len(found)}", f"{len(naive)}"),
            ("same problems", str(found == naive == portable_found), "")]
    return figures, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terminals", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--rest-rows", type=int, default=20_000)
    parser.add_argument("--shipments", type=int, default=400)
    args = parser.parse_args()
    use_database("enf_bench_waste")
    figures, rows = {}, []
    for bench in (bench_jt808, bench_rest, bench_check):
        f, r = bench(args)
        figures.update(f)
        rows += r
    print_table(f"Waste transfers: positions and the trajectory check, {os.cpu_count()} CPUs; "
                f"baseline = one row at a time (ORM get_or_create) / per-shipment Python loop", rows)
    record("waste", figures)


if __name__ == "__main__":
    main()
