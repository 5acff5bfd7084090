"""Fixtures of the eco-code tests: a moment to score at and a hand-built enterprise with records."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from alerts.models import Alert
from core import clock
from dispatch.models import Complaint
from enterprises.models import MonitoringDuty, Pollutant, TreatmentFacility
from monitoring.models import Aggregate, Device
from tests import factories as f

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


H = dt.timedelta(hours=1)


@pytest.fixture
def plant(now):
    """An enterprise with a COD-monitored outlet that exceeded its hourly limit this morning (4 hours, one
    at 2.5×, recorded by alerts as exceedances), one exceedance warning it never answered, and one public
    complaint."""
    ent = f.enterprise()
    perm = f.permit(ent)
    from .helpers import on_time_report

    on_time_report(perm)
    out = f.outlet(perm, "DW001", "water", {"w01018": 100})
    cod = Pollutant.objects.get(code="w01018")
    TreatmentFacility.objects.create(permit=perm, outlet=out, name="生化处理站", process="A/O")
    MonitoringDuty.objects.create(permit=perm, outlet=out, pollutant=cod, method="online", frequency="continuous")
    Device.objects.create(mn="MN-EVIDENCE-1", outlet=out, last_seen_at=NOW - dt.timedelta(minutes=5))
    for n, avg in enumerate([90, 150, 250, 130, 80, 85]):
        Aggregate.objects.create(outlet=out, pollutant=cod, period="hour", start=NOW - (n + 1) * H, count=60,
                                 valid_count=60, sum=avg * 60, avg=avg, min=avg, max=avg, updated_at=NOW)
    from .helpers import record_exceedances

    record_exceedances(NOW, 7, [out.pk])
    alert = Alert.objects.create(outlet=out, enterprise=ent, pollutant=cod, rule="exceedance",
                                 opened_at=NOW - 4 * H, last_seen_at=NOW - 2 * H, value=150, limit_value=100)
    complaint = Complaint.objects.create(enterprise=ent, township=ent.township, channel="qr", text="河里有异味",
                                         created_at=NOW - dt.timedelta(days=5))
    return ent, out, cod, alert, complaint
