"""The embedded default under its own load: API writes made while a warning cycle runs on SQLite all
succeed (WAL, immediate transactions, busy timeout), and so does the cycle.

A fresh data folder is migrated and seeded; one process runs warning cycles back to back while another
issues self-check campaigns through the REST API (each a transaction writing notices and notifications).
"""
import subprocess
import sys

import pytest

from .test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow

CYCLES = """
import datetime as dt
from alerts.services import evaluate
from core import clock
now = clock.now()
for i in range(6):
    evaluate(now + dt.timedelta(minutes=5 * i))
print("cycles ok")
"""

WRITES = """
import uuid
from django.test import Client
from enterprises.models import Role, User
user = User.objects.create_user("writer", password="pw-Writer-2026", role=Role.BUREAU)
client = Client()
token = client.post("/api/v1/auth/token/", {"username": "writer", "password": "pw-Writer-2026"},
                    content_type="application/json").json()["token"]
statuses = []
for i in range(12):
    response = client.post("/api/v1/self-check-campaigns/", {"title": f"并发自查{i}"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    statuses.append(response.status_code)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
print("statuses", sorted(set(statuses)))
"""


def test_api_writes_during_a_warning_cycle_succeed(tmp_path):
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", "--enterprises", "40", "--no-progress")
    cycles = subprocess.Popen([sys.executable, "manage.py", "shell", "-v0", "-c", CYCLES], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writes = manage(env, "shell", "-v0", "-c", WRITES, timeout=600)
    finally:
        out, err = cycles.communicate(timeout=600)
    assert "statuses [201]" in writes.stdout, writes.stdout + writes.stderr
    assert "locked" not in writes.stderr
    assert cycles.returncode == 0 and "cycles ok" in out, err[-2000:]
