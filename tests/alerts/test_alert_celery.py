"""End to end: beat's ``evaluate_alerts`` task runs in a real Celery worker on Redis against the
test database and opens the warning."""

import pytest
from django.utils import timezone

from alerts.models import Alert
from alerts.tasks import evaluate_alerts
from monitoring.models import Device
from notifications.models import Notification
from tests.celery_worker import running_worker

from .alert_support import HALF, half_hour, site, window_start

QUEUE = "test_alerts_e2e"


@pytest.fixture
def worker(tmp_path):
    with running_worker(QUEUE, tmp_path / "worker.log") as proc:
        yield proc


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
