"""Operators' records of monitoring equipment: a failed comparison test makes the device's data invalid
until the next one passes, a fault until it is repaired; the eco-code's device_checks rules count them."""
import datetime as dt
import uuid

import pytest
from django.urls import reverse

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from ecocode.models import Indicator
from ecocode.services import scoring
from enforcement import selectors, services
from enterprises.models import Role
from monitoring.models import Device
from tests import factories as f

from .support import reported

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
OPERATOR = "浙江某环境运维有限公司"


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


@pytest.fixture
def plant():
    ent = f.enterprise()
    perm = f.permit(ent)
    device = Device.objects.create(mn=f"D{uuid.uuid4().hex[:20]}", outlet=f.outlet(perm))
    return ent, perm, device, f.user(Role.ENTERPRISE, enterprise=ent)


def record(device, user, kind, at, passed=True, findings=""):
    with clock.frozen(NOW):
        return services.device_check_record(user=user, device=device, kind=kind, operator=OPERATOR, performed_at=at,
                                            passed=passed, findings=findings)


@pytest.mark.usefixtures("english")
def test_failed_comparison_and_fault_make_the_data_invalid_for_their_period(plant):
    ent, _perm, device, account = plant
    record(device, account, "comparison", days_ago(40))
    failed = record(device, account, "comparison", days_ago(30), passed=False, findings="COD 比对相对误差 32%")
    record(device, account, "calibration", days_ago(25), passed=False, findings="零点漂移超限")
    record(device, account, "comparison", days_ago(20))
    fault = record(device, account, "fault", days_ago(5), passed=True, findings="采样泵故障")
    assert fault.passed is False  # a fault never passes
    periods = selectors.device_invalid_periods([device.pk], days_ago(60), NOW)[device.pk]
    assert [(p["start"], p["end"], p["check"].pk, p["open"]) for p in periods] == [
        (days_ago(30), days_ago(20), failed.pk, False), (days_ago(5), NOW, fault.pk, True)]
    with clock.frozen(NOW):
        services.device_fault_resolve(check=fault, user=account, resolved_at=days_ago(3))
        with pytest.raises(WorkflowError):
            services.device_fault_resolve(check=fault, user=account, resolved_at=days_ago(2))
    periods = selectors.device_invalid_periods([device.pk], days_ago(10), NOW)[device.pk]
    assert [(p["start"], p["end"], p["open"]) for p in periods] == [(days_ago(5), days_ago(3), False)]


@pytest.mark.usefixtures("english")
def test_who_files_the_records(plant):
    _ent, _perm, device, _account = plant
    stranger = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    with pytest.raises(NotAllowed):
        record(device, stranger, "calibration", days_ago(1))
    with pytest.raises(WorkflowError, match="failed"):
        record(device, f.user(Role.ENFORCEMENT), "comparison", days_ago(1), passed=False)
    with pytest.raises(WorkflowError, match="future"):
        record(device, f.user(Role.ENFORCEMENT), "calibration", NOW + dt.timedelta(hours=1))


def test_the_eco_code_indicator_counts_failed_checks(plant):
    ent, perm, device, account = plant
    reported(perm, days_ago(30).date())  # enough data to be scored
    Indicator.objects.update(weight=0)
    Indicator.objects.create(code="X01", name="第三方比对监测或校准不合格", group="self_monitoring", weight=3,
                             rule="device_checks.failed", params={"window_days": 90}, source="运维记录")
    Indicator.objects.create(code="X02", name="设备故障7日内未修复", group="self_monitoring", weight=2,
                             rule="device_checks.unresolved", params={"days": 7}, source="运维记录")
    clean = scoring.score_enterprise(ent, as_of=NOW).score
    record(device, account, "comparison", days_ago(10), passed=False, findings="氨氮比对不合格")
    record(device, account, "comparison", days_ago(9), passed=False, findings="复测仍不合格")  # same device: one fact
    record(device, account, "fault", days_ago(3), findings="数采仪断电")  # not yet 7 days
    score = scoring.score_enterprise(ent, as_of=NOW)
    assert clean - score.score == 3
    record(device, account, "fault", days_ago(12), findings="流量计故障")
    assert clean - scoring.score_enterprise(ent, as_of=NOW).score == 5


def test_the_enterprise_file_lists_the_records_and_invalid_periods(client, plant):
    ent, _perm, device, account = plant
    with clock.frozen(clock.now()):
        services.device_check_record(user=account, device=device, kind="fault", operator=OPERATOR,
                                     performed_at=clock.now() - dt.timedelta(days=2), findings="采样泵故障")
    client.force_login(f.user(Role.ENFORCEMENT))
    page = client.get(reverse("enforcement:enterprise-file", args=[ent.pk])).content.decode()
    assert OPERATOR in page and device.mn in page and "采样泵故障" in page
    client.force_login(account)
    assert len(client.get("/api/v1/device-checks/").json()["results"]) == 1
    client.force_login(f.user(Role.ENTERPRISE, enterprise=f.enterprise()))
    assert client.get("/api/v1/device-checks/").json()["results"] == []
