"""Work that never waits behind other work: each kind of task has its Celery queue (settings'
``CELERY_TASK_ROUTES``), and the 5-minute warning cycle on its own worker runs at once while a
scoring run is in progress on the scoring worker. Real workers on Redis, real PostgreSQL."""
import time

import pytest
from celery.result import AsyncResult
from django.utils import timezone

from alerts.models import Alert
from alerts.tasks import evaluate_alerts
from config.celery import app
from ecocode.models import ScoringRun
from ecocode.tasks import score_all
from enterprises.models import Enterprise, Industry, Permit
from enterprises.validators import make_credit_code
from monitoring.models import Device
from tests import factories
from tests.alerts.alert_support import HALF, half_hour, site, window_start
from tests.celery_worker import running_worker

PREFIX = "test_isolation_"  # queues of this test only, so that no other worker takes its tasks
ENTERPRISES = 600  # enough for a scoring run of several seconds on 2 cores


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_kind_of_task_has_its_queue():
    assert queue_of("alerts.tasks.evaluate_alerts") == "warnings"
    assert queue_of("notifications.tasks.deliver_notification") == "notifications"
    assert queue_of("notifications.tasks.deliver_pending_notifications") == "notifications"
    assert queue_of("ecocode.tasks.score_all") == "scoring"
    assert queue_of("enforcement.tasks.review_positive_list") == "scoring"
    assert queue_of("dispatch.tasks.check_deadlines") == "default"
    declared = {q.name for q in app.conf.task_queues}
    assert {"warnings", "notifications", "scoring", "imports", "default"} <= declared


def _county(n: int) -> None:
    town = factories.township()
    industry = Industry.objects.get(code="C1713")
    ents = Enterprise.objects.bulk_create(
        Enterprise(credit_code=make_credit_code("330483", f"Q{i:07d}"), name=f"隔离测试企业{i}", industry=industry,
                   latitude=30.05, longitude=120.05, township=town, management_class="key")
        for i in range(n))
    Permit.objects.bulk_create(
        Permit(enterprise=e, number=f"{e.credit_code}001P", management_class="key", issued_on="2024-01-01",
               valid_from="2024-01-01", expires_on="2029-01-01") for e in ents)


@pytest.mark.slow
def test_warning_cycle_does_not_wait_behind_scoring(transactional_db, tmp_path):
    _county(ENTERPRISES)
    out, _ = site()
    now = timezone.now()
    for start in (window_start(now), window_start(now) + HALF):
        half_hour(out, "w01018", start, 180.0)
    Device.objects.filter(outlet=out).update(last_seen_at=now)

    scoring_q, warnings_q = PREFIX + queue_of(score_all.name), PREFIX + queue_of(evaluate_alerts.name)
    with running_worker(scoring_q, tmp_path / "scoring.log"), running_worker(warnings_q, tmp_path / "warnings.log"):
        first = evaluate_alerts.apply_async(queue=warnings_q).get(timeout=90)  # the warnings worker is up
        scoring = score_all.apply_async(queue=scoring_q, ignore_result=False)
        deadline = time.monotonic() + 90
        while AsyncResult(scoring.id).state != "STARTED":
            assert time.monotonic() < deadline, "the scoring worker never started the run"
            time.sleep(0.05)
        sent = time.monotonic()
        cycle = evaluate_alerts.apply_async(queue=warnings_q).get(timeout=60)
        delay = time.monotonic() - sent
        scoring_running = AsyncResult(scoring.id).state == "STARTED"
        AsyncResult(scoring.id).get(timeout=180)
        scoring_took = time.monotonic() - sent
    assert first["opened"] == 1
    assert cycle["updated"] == 1 and not cycle["skipped"]
    assert Alert.objects.filter(outlet=out, rule="exceedance").count() == 1
    assert scoring_running, "the scoring run ended before the warning cycle: the test proves nothing"
    assert delay < 5, f"the warning cycle waited {delay:.1f} s behind the scoring run"
    assert ScoringRun.objects.get().scores.count() >= ENTERPRISES
    print(f"warning cycle done {delay:.2f} s after it was sent, with a scoring run of {ENTERPRISES} in progress"
          f" (which went on for {scoring_took:.1f} s more)")
