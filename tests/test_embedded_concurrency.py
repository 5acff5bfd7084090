"""The embedded default under its own load: API writes made while a warning cycle runs on SQLite all
succeed (WAL, immediate transactions, busy timeout), and so does the cycle.

A fresh data folder is migrated and seeded; one process runs warning cycles one after another (0.2 s
apart, where beat runs one every 5 minutes: every cycle writes, if only its open warnings' last-seen
times, and SQLite's busy timeout polls rather than queues, so a loop that retakes the write lock the
moment it lets it go can keep a waiting writer out past its 30 s), from before the first write until the
last, while another issues self-check campaigns through the REST API (each a transaction writing notices
and notifications).
"""
import subprocess
import sys

import pytest

from .test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow

CYCLES = """
import datetime as dt
import os
import pathlib
import time
from alerts.services import evaluate
from core import clock
started, writes_done = pathlib.Path(os.environ["CYCLES_STARTED"]), pathlib.Path(os.environ["WRITES_DONE"])
now, deadline = clock.now(), time.monotonic() + 540
n = 0
while not writes_done.exists() and time.monotonic() < deadline:  # one after another until the writer is done
    evaluate(now + dt.timedelta(minutes=5 * n))
    n += 1
    started.touch()
    time.sleep(0.2)  # SQLite's busy wait is no queue: a loop retaking the write lock at once starves the writer
print("cycles ok", n, "writer done" if writes_done.exists() else "gave up waiting for the writer")
"""

WRITES = """
import os
import pathlib
import time
import uuid
from django.test import Client
from enterprises.models import Role, User
user = User.objects.create_user("writer", password="pw-Writer-2026", role=Role.BUREAU)
client = Client()
token = client.post("/api/v1/auth/token/", {"username": "writer", "password": "pw-Writer-2026"},
                    content_type="application/json").json()["token"]
started, writes_done = pathlib.Path(os.environ["CYCLES_STARTED"]), pathlib.Path(os.environ["WRITES_DONE"])
for _ in range(1200):  # the first cycle has run: every write below meets the next ones
    if started.exists():
        break
    time.sleep(0.25)
assert started.exists(), "no warning cycle ran"
statuses = []
for i in range(12):
    response = client.post("/api/v1/self-check-campaigns/", {"title": f"并发自查{i}"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    statuses.append(response.status_code)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
writes_done.touch()
print("statuses", sorted(set(statuses)))
"""


def test_api_writes_during_a_warning_cycle_succeed(tmp_path):
    env = embedded_env(tmp_path)
    env |= {"CYCLES_STARTED": str(tmp_path / "cycles-started"), "WRITES_DONE": str(tmp_path / "writes-done")}
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", "--enterprises", "40", "--no-progress")
    cycles = subprocess.Popen([sys.executable, "manage.py", "shell", "-v0", "-c", CYCLES], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writes = manage(env, "shell", "-v0", "-c", WRITES, timeout=600)
    finally:
        (tmp_path / "writes-done").touch()  # the writer's own mark, should it have failed before it
        out, err = cycles.communicate(timeout=600)
    assert "statuses [201]" in writes.stdout, writes.stdout + writes.stderr
    assert "locked" not in writes.stderr
    assert cycles.returncode == 0 and "cycles ok" in out, err[-2000:]
    ran = int(out.split("cycles ok")[1].split()[0])
    assert ran >= 2 and "writer done" in out, out  # cycles ran before and during the writes, and stopped after them
    assert "locked" not in err
