"""Work that never waits behind other work: each kind of task has its Celery queue (settings'
``CELERY_TASK_ROUTES``), and the 5-minute warning cycle on its own worker runs at once while a
scoring run is in progress on the scoring worker, and while a registry import confirmed on its page is
being written on the imports worker. Real workers on Redis, real PostgreSQL."""
import time

import pytest
from celery.result import AsyncResult
from django.utils import timezone

from alerts.models import Alert
from alerts.tasks import evaluate_alerts
from config.celery import app
from ecocode.models import ScoringRun
from ecocode.tasks import score_all
from enterprises.models import Enterprise, Industry, Permit, RegistryImport
from enterprises.services import registry_import
from enterprises.tasks import commit_registry_import
from enterprises.validators import make_credit_code
from monitoring.models import Device
from tests import factories
from tests.alerts.alert_support import HALF, half_hour, site, window_start
from tests.celery_worker import running_worker
from tests.enterprises.registry_support import basic_row, build_county, workbook

PREFIX = "test_isolation_"  # queues of this test only, so that no other worker takes its tasks
ENTERPRISES = 600  # enough for a scoring run of several seconds on 2 cores
IMPORTED = 1500  # enterprises of the registry import (7,500 rows written): several seconds to write on 2 cores


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_kind_of_task_has_its_queue():
    assert queue_of("alerts.tasks.evaluate_alerts") == "warnings"
    assert queue_of("notifications.tasks.deliver_notification") == "notifications"
    assert queue_of("notifications.tasks.deliver_pending_notifications") == "notifications"
    assert queue_of("ecocode.tasks.score_all") == "scoring"
    assert queue_of("enterprises.tasks.commit_registry_import") == "imports"
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


def _import_tables(n: int) -> dict[str, list[dict]]:
    """``n`` enterprises, each with a permit, a stack, its limit and its online monitoring duty."""
    tables = {"basic": [], "outlets": [], "limits": [], "duties": []}
    for i in range(n):
        number = f"PI-2024-{i:05d}"
        tables["basic"].append(basic_row(make_credit_code("330483", f"MA{i:06d}"), number, f"导入测试企业{i}"))
        tables["outlets"].append({"许可证编号": number, "排放口编号": "DA001", "排放口名称": "1#废气排放口",
                                  "排放口类别": "废气", "排放口类型": "主要排放口", "自动监测": "是"})
        tables["limits"].append({"许可证编号": number, "排放口编号": "DA001", "污染物种类": "颗粒物",
                                 "许可排放浓度限值": 10, "浓度单位": "mg/m3", "限值时段": "小时均值"})
        tables["duties"].append({"许可证编号": number, "排放口编号": "DA001", "污染物种类": "颗粒物",
                                 "监测方式": "自动", "监测频次": "连续"})
    return tables


def _due_cycle():
    """An outlet over its limit for the whole current hour: the next warning cycle opens (then updates) one
    exceedance warning."""
    out, _ = site()
    now = timezone.now()
    for start in (window_start(now), window_start(now) + HALF):
        half_hour(out, "w01018", start, 180.0)
    Device.objects.filter(outlet=out).update(last_seen_at=now)
    return out


def _cycle_delay_while(work: AsyncResult, warnings_q: str, what: str) -> tuple[float, float, dict]:
    """Once ``work`` is in progress on its worker, send the warning cycle (as beat does when it is due): the
    seconds until the cycle was done, the seconds until ``work`` was, and the cycle's result."""
    deadline = time.monotonic() + 90
    while AsyncResult(work.id).state != "STARTED":
        assert time.monotonic() < deadline, f"the worker never started the {what}"
        time.sleep(0.05)
    sent = time.monotonic()
    cycle = evaluate_alerts.apply_async(queue=warnings_q).get(timeout=60)
    delay = time.monotonic() - sent
    assert AsyncResult(work.id).state == "STARTED", f"the {what} ended before the warning cycle (proves nothing)"
    AsyncResult(work.id).get(timeout=180)
    return delay, time.monotonic() - sent, cycle


@pytest.mark.slow
def test_warning_cycle_does_not_wait_behind_scoring(transactional_db, tmp_path):
    _county(ENTERPRISES)
    out = _due_cycle()
    scoring_q, warnings_q = PREFIX + queue_of(score_all.name), PREFIX + queue_of(evaluate_alerts.name)
    with running_worker(scoring_q, tmp_path / "scoring.log"), running_worker(warnings_q, tmp_path / "warnings.log"):
        first = evaluate_alerts.apply_async(queue=warnings_q).get(timeout=90)  # the warnings worker is up
        scoring = score_all.apply_async(queue=scoring_q, ignore_result=False)
        delay, took, cycle = _cycle_delay_while(scoring, warnings_q, "scoring run")
    assert first["opened"] == 1
    assert cycle["updated"] == 1 and not cycle["skipped"]
    assert Alert.objects.filter(outlet=out, rule="exceedance").count() == 1
    assert delay < 5, f"the warning cycle waited {delay:.1f} s behind the scoring run"
    assert ScoringRun.objects.get().scores.count() >= ENTERPRISES
    print(f"warning cycle done {delay:.2f} s after it was sent, with a scoring run of {ENTERPRISES} in progress"
          f" (which went on for {took:.1f} s more)")


@pytest.mark.slow
def test_warning_cycle_does_not_wait_behind_a_registry_import(transactional_db, tmp_path):
    build_county()
    out = _due_cycle()
    record = registry_import.registry_import_check(files=[("许可证.xlsx", workbook(_import_tables(IMPORTED)))])
    assert not record.summary["problems"] and record.summary["writes"] == 5 * IMPORTED
    registry_import.registry_import_confirm(registry_import=record)  # what the page's confirmation does
    imports_q = PREFIX + queue_of(commit_registry_import.name)
    warnings_q = PREFIX + queue_of(evaluate_alerts.name)
    with running_worker(imports_q, tmp_path / "imports.log"), running_worker(warnings_q, tmp_path / "warnings.log"):
        first = evaluate_alerts.apply_async(queue=warnings_q).get(timeout=90)  # the warnings worker is up
        writing = commit_registry_import.apply_async((record.pk,), queue=imports_q, ignore_result=False)
        delay, took, cycle = _cycle_delay_while(writing, warnings_q, "registry import")
    assert first["opened"] == 1
    assert cycle["updated"] == 1 and not cycle["skipped"]
    assert delay < 5, f"the warning cycle waited {delay:.1f} s behind the registry import"
    record.refresh_from_db()
    assert record.status == RegistryImport.Status.COMMITTED
    assert Enterprise.objects.filter(name__startswith="导入测试企业").count() == IMPORTED
    print(f"warning cycle done {delay:.2f} s after it was sent, with a registry import of {5 * IMPORTED:,} rows "
          f"in progress (which went on for {took:.1f} s more)")
