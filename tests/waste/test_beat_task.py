"""End to end: beat's ``check_transfers`` task runs in a real Celery worker on Redis against the test
database, and finds the truck whose terminal went silent while it is still on the road."""
import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.celery_worker import running_worker
from waste.models import WasteAlert, WasteRule
from waste.services import manifests as services
from waste.tasks import check_transfers

from .support import draft, track, upload, world

QUEUE = "test_waste_e2e"


@pytest.fixture
def worker(tmp_path):
    with running_worker(QUEUE, tmp_path / "worker.log") as proc:
        yield proc


@pytest.mark.slow
def test_a_silent_truck_on_the_road_is_found_by_the_beat_task(transactional_db, worker):
    w = world()
    now = timezone.now().replace(microsecond=0)
    left = now - dt.timedelta(minutes=40)
    manifest = draft(w, planned_departure=left, planned_arrival=now + dt.timedelta(hours=1))
    services.manifest_depart(manifest, user=w.carrier_user, at=left)
    assert upload(w.carrier_user, track(start=left, minutes=40)[:11]).json()["stored"] == 11  # silent for 30 min

    result = check_transfers.apply_async(queue=QUEUE).get(timeout=90)
    assert result["opened"] == 1 and result["checked"] == 1 and not result["skipped"]
    alert = WasteAlert.objects.get()
    assert alert.rule == WasteRule.TRAJECTORY_MISSING and alert.evidence["longest_gap_minutes"] == 30
    assert Notification.objects.filter(source=alert.source_ref, kind="waste.opened").count() == 2
