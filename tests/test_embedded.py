"""Smoke test of the embedded default: no DATABASE_URL, no REDIS_URL.

In a fresh data folder: migrate and seed a small county on SQLite, render a page, and have a real
Celery worker on kombu's filesystem transport deliver a notification queued by the platform.
"""
import os
import subprocess
import sys
import time
from email import message_from_string
from email.header import decode_header, make_header
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_TEST_DB", "DJANGO_SETTINGS_MODULE")}
    env["ENFORCEMENT_DATA_DIR"] = str(tmp_path / "var")
    return env


def manage(env, *args, timeout=300):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=True)


SEND = """
from collections import Counter, defaultdict
from enterprises.models import Enterprise
from monitoring.models import Aggregate, Reading
from monitoring.services.ingest import KIND_RANK, Unit, store, window_starts
from monitoring.hj212 import ParsedReading
# The demo's readings went through the SQLite ingestion path: each stored once, and every window (half-hour,
# hour, local day) counts the readings of the best data kind sent for it (day > hour > minute > real-time).
kinds = defaultdict(Counter)
for outlet, station, pollutant, kind, at in Reading.objects.filter(kind__in=list(KIND_RANK)).values_list(
        'outlet_id', 'station_id', 'pollutant_id', 'kind', 'observed_at'):
    for period, start in window_starts(at, kind).items():
        kinds[(outlet, station, pollutant, period, start)][kind] += 1
expected = {key: sent[max(sent, key=KIND_RANK.get)] for key, sent in kinds.items()}
built = {(a.outlet_id, a.station_id, a.pollutant_id, a.period, a.start): a.count for a in Aggregate.objects.all()}
assert Reading.objects.filter(kind__in=['realtime', 'minute']).exists() and Reading.objects.filter(kind='hour').exists()
assert {p for (_, _, _, p, _) in expected} == {'half_hour', 'hour', 'day'}
assert built == expected, sorted(set(built.items()) ^ set(expected.items()))[:5]
r = Reading.objects.select_related('device').first()
resend = Unit(device=r.device,
              readings=[(r.pollutant_id, ParsedReading(code='x', kind=r.kind, observed_at=r.observed_at,
                                                                        avg=r.avg, flag=r.flag))])
assert store([resend], []).stored == 0
from notifications.services import notify
from django.test import Client
ent = Enterprise.objects.order_by('pk').first()
c = Client()
assert c.get('/admin/login/').status_code == 200
# the seeded admin logs in through the page (lock-out checks need the request) and first changes the password
assert c.post('/admin/login/', {'username': 'admin', 'password': 'admin', 'next': '/admin/'}).status_code == 302
assert c.post('/accounts/password/', {'old_password': 'admin', 'new_password1': 'Qz7-embedded-2026',
                                      'new_password2': 'Qz7-embedded-2026'}).status_code == 302
assert c.get('/admin/enterprises/enterprise/').status_code == 200
note = notify(kind='smoke', subject='嵌入式测试', body='hello', enterprise=ent)
print(note.pk)
"""

CHECK = """
from notifications.models import Delivery
print(Delivery.objects.get(notification_id={pk}, channel='email').status)
"""


def test_embedded_default_runs_on_a_bare_machine(tmp_path):
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    out = manage(env, "seed_demo", "--enterprises", "25", "--no-progress").stdout
    assert "enterprises" in out and "25" in out
    assert (tmp_path / "var" / "db.sqlite3").exists()
    pk = int(manage(env, "shell", "-v0", "-c", SEND).stdout.strip().splitlines()[-1])
    # The notification's e-mail waits in the filesystem broker until a worker takes it.
    assert any((tmp_path / "var" / "broker" / "queue").iterdir())
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                               "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle",
                               "--without-gossip"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        status = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = manage(env, "shell", "-v0", "-c", CHECK.format(pk=pk)).stdout.strip()
            if status == "sent":
                break
            time.sleep(1)
        assert status == "sent"
        assert not (ROOT / "control").exists(), "the filesystem broker must keep its control folder under var/"
        subjects = [str(make_header(decode_header(message_from_string(chunk.strip())["Subject"] or "")))
                    for path in (tmp_path / "var" / "mail").iterdir()
                    for chunk in path.read_text().split("-" * 79) if chunk.strip()]
        assert "嵌入式测试" in subjects
    finally:
        worker.terminate()
        worker.wait(timeout=30)
