"""Load test of the three hot pages on the demo county, over HTTP against gunicorn on 127.0.0.1 only:
the dashboard's map-data endpoint (bureau staff, session cookie), the public QR page of random enterprises,
and a REST API list (enterprises, random page, token auth).

locust runs headless as a subprocess, bounded in time: 50 concurrent clients (spawned 25/s), each sending
its next request as soon as the last one is answered (no think time: this measures capacity and latency at
saturation). Baseline, same run and same server: ONE client doing the same, i.e. each page's latency when
nothing else competes. The server runs production settings (DEBUG off) with 3 sync workers (2 cores).
locust itself shares the machine's cores with gunicorn and PostgreSQL, so the figures are a floor.

Run: .venv/bin/python benchmarks/bench_load.py [--users 50] [--seconds 30] [--workers 3]
"""
import argparse
import csv
import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, print_table, use_database
from summary import record

PAGES = [("map", "dashboard map data (bureau, session)"), ("qr", "public QR page (anonymous)"),
         ("api", "REST API enterprises list (token)")]

LOCUSTFILE = '''
import json, os, random
from locust import HttpUser, constant, task

CONF = json.load(open(os.environ["LOAD_CONF"]))


class Visitor(HttpUser):
    wait_time = constant(0)

    def fetch(self, url, name, expect, **headers):
        """Counts anything but a 200 whose body holds ``expect`` as a failure (no redirects followed)."""
        with self.client.get(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200 or expect not in r.text:
                r.failure("%s %s" % (r.status_code, r.text[:80]))

    @task
    def map(self):
        self.fetch("/dashboard/api/map/", "map", CONF["map_expect"], Cookie="sessionid=" + CONF["session"])

    @task
    def qr(self):
        self.fetch("/ecocode/p/%s/" % random.choice(CONF["tokens"]), "qr", CONF["qr_expect"])

    @task
    def api(self):
        self.fetch("/api/v1/enterprises/?page=%d" % random.randint(1, CONF["api_pages"]), "api", '"results"',
                   Authorization="Token " + CONF["token"])
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare() -> dict:
    """Session and API token of a bureau user, 500 eco-code tokens, the API's page count."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from ecocode.models import EcoCode
    from enterprises.models import Enterprise, Role, User

    bureau = User.objects.filter(role=Role.BUREAU, is_active=True).order_by("pk").first()
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(bureau.pk), settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = bureau.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=bureau)
    tokens = list(EcoCode.objects.order_by("?").values_list("token", flat=True)[:500])
    pages = max(1, Enterprise.objects.count() // settings.REST_FRAMEWORK["PAGE_SIZE"])
    # What each answer must contain to count as served (a login page or an error page does not).
    return {"session": session.session_key, "token": token.key, "tokens": tokens, "api_pages": pages,
            "map_expect": '"rows"', "qr_expect": "<form"}


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/dispatch/complain/", timeout=5).status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def run_locust(port: int, users: int, seconds: int, workdir: Path, conf: Path, tag: str) -> dict:
    """Per page: requests, failures, requests/s, median and p95 (ms), from locust's CSV."""
    prefix = workdir / tag
    subprocess.run([str(ROOT / ".venv/bin/locust"), "-f", str(workdir / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(min(users, 25)), "-t", f"{seconds}s", "--stop-timeout", "10",
                    "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                    "--loglevel", "WARNING"],
                   env={**os.environ, "LOAD_CONF": str(conf)}, check=False, timeout=seconds + 120,
                   stdout=subprocess.DEVNULL, stderr=open(workdir / f"{tag}.log", "w"))
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no statistics: {(workdir / f'{tag}.log').read_text()[-2000:]}")
    out = {}
    with open(f"{prefix}_stats.csv") as fh:
        for row in csv.DictReader(fh):
            out[row["Name"]] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                "rps": float(row["Requests/s"]), "p50": float(row["50%"] or 0),
                                "p95": float(row["95%"] or 0)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--enterprises", type=int, default=10250)
    args = parser.parse_args()
    # One secret for this process (which signs the session) and the server (which reads it).
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    url = use_database("enf_bench_load")
    import json

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, verbosity=0)
    seeded = time.perf_counter() - started
    conf_data = prepare()
    from django.db import connections

    from audit.models import AuditEntry
    audited = AuditEntry.objects.count()
    connections.close_all()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
           "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
           "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "locustfile.py").write_text(LOCUSTFILE)
        conf = workdir / "conf.json"
        conf.write_text(json.dumps(conf_data))
        server = start_server(port, args.workers, env)
        try:
            load_before = os.getloadavg()
            run_locust(port, 3, 5, workdir, conf, "warmup")
            base = run_locust(port, 1, max(10, args.seconds // 2), workdir, conf, "baseline")
            load = run_locust(port, args.users, args.seconds, workdir, conf, "load")
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)

    rows = []
    for key, label in PAGES:
        b, l = base.get(key), load.get(key)
        if not (b and l):
            rows.append((label, "no data", "no data"))
            continue
        rows.append((f"{label}: req/s", f"{l['rps']:.1f}", f"{b['rps']:.1f}"))
        rows.append((f"{label}: p50 / p95 ms", f"{l['p50']:.0f} / {l['p95']:.0f}", f"{b['p50']:.0f} / {b['p95']:.0f}"))
        rows.append((f"{label}: failures", f"{l['failures']} of {l['requests']}", f"{b['failures']} of {b['requests']}"))
    agg_l, agg_b = load.get("Aggregated", {}), base.get("Aggregated", {})
    rows.append(("all three: req/s", f"{agg_l.get('rps', 0):.1f}", f"{agg_b.get('rps', 0):.1f}"))
    print(f"\ndemo county seeded in {seeded:.1f} s ({audited} audit entries written by it); gunicorn "
          f"{args.workers} sync workers on 127.0.0.1:{port}, production settings; {os.cpu_count()} cores; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print_table(f"Hot pages over HTTP, {args.seconds} s each, {args.users} clients without think time "
                f"(baseline: 1 client, same server, same run)", rows)
    figures = {"users": args.users, "seconds": args.seconds, "workers": args.workers,
               "loadavg_before": load_before[0], "loadavg_after": load_after[0],
               "baseline": "(1 client)", "total_rps": agg_l.get("rps"), "total_rps_baseline": agg_b.get("rps")}
    for key, _ in PAGES:
        if key in load and key in base:
            figures.update({f"{key}_p95_ms": load[key]["p95"], f"{key}_p95_ms_baseline": base[key]["p95"],
                            f"{key}_rps": load[key]["rps"], f"{key}_failures": load[key]["failures"]})
    record("load", figures)


if __name__ == "__main__":
    main()
