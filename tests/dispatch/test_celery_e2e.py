"""End to end: beat's ``check_deadlines`` runs in a real Celery worker on Redis against the test
database, reminds the handler of an order not accepted for two days, and a second run sends nothing."""
import datetime as dt

import pytest
from django.utils import timezone

from core import clock
from dispatch import services
from dispatch.models import WorkOrder
from dispatch.tasks import check_deadlines
from enterprises.models import Role
from notifications.models import Notification
from tests import factories as f
from tests.celery_worker import running_worker

QUEUE = "test_dispatch_e2e"


@pytest.fixture
def worker(tmp_path):
    with running_worker(QUEUE, tmp_path / "worker.log") as proc:
        yield proc


@pytest.mark.slow
def test_check_deadlines_through_a_real_worker(transactional_db, worker):
    town = f.township()
    officer = f.user(Role.TOWNSHIP, township=town)
    with clock.frozen(timezone.now() - dt.timedelta(days=2)):
        late = services.work_order_open(source="complaint", title="两天未签收", enterprise=f.enterprise(town))
    fresh = services.work_order_open(source="complaint", title="刚派发", enterprise=f.enterprise(town))
    result = check_deadlines.apply_async(queue=QUEUE).get(timeout=60)
    assert result == {"accept": 1, "fix": 0, "plan": 0, "supervise": 0}
    late.refresh_from_db(), fresh.refresh_from_db()
    assert late.accept_reminded_at is not None and fresh.accept_reminded_at is None
    assert Notification.objects.filter(user=officer, kind="workorder_dispatched").count() == 2
    note = Notification.objects.get(user=officer, kind="workorder_accept")
    assert f"#{late.pk}" in note.body and note.dedup_key.startswith("dispatch:")
    again = check_deadlines.apply_async(queue=QUEUE).get(timeout=60)
    assert again == {"accept": 0, "fix": 0, "plan": 0, "supervise": 0}
    assert Notification.objects.filter(user=officer, kind="workorder_accept").count() == 1
    assert WorkOrder.objects.filter(accept_reminded_at__isnull=False).count() == 1
