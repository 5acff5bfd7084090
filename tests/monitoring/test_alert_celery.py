"""End to end: beat's ``evaluate_alerts`` task runs in a real Celery worker on Redis against the
test database and opens the warning."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from monitoring.models import Alert, Device, Notification
from monitoring.tasks import evaluate_alerts

from .alert_support import HALF, half_hour, site, window_start

QUEUE = "test_alerts_e2e"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    if not settings.REDIS_URL or not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL and Redis")
    db = settings.DATABASES["default"]
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "enforcement", "worker", "--pool", "solo",
         "-Q", QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
         "-n", f"alerts-e2e-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.log").open("w"))
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    print((tmp_path / "worker.log").read_text()[-3000:])


@pytest.mark.slow
def test_evaluate_alerts_through_a_real_worker(transactional_db, worker):
    out, _ = site()
    now = timezone.now()
    for start in (window_start(now), window_start(now) + HALF):  # either side of a half-hour boundary
        half_hour(out, "w01018", start, 180.0)
    Device.objects.filter(outlet=out).update(last_seen_at=now)
    result = evaluate_alerts.apply_async(queue=QUEUE).get(timeout=90)
    assert result["opened"] == 1 and not result["skipped"]
    alert = Alert.objects.get(outlet=out)
    assert (alert.rule, alert.value, alert.state) == ("exceedance", 180.0, "notified")
    assert Notification.objects.filter(source=f"alert:{alert.pk}", kind="alert.opened").count() == 1
