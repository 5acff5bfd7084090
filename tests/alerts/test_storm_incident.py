"""Storms are one incident: a county whose devices mostly go silent together (a network outage) gets one
incident for the bureau, no per-outlet missing-data warnings or work orders, and each enterprise is told
once; when the packets come back the incident ends, and an outlet that was already broken before the
outage gets its full escalation time again. Driven by HJ 212 packets through ingestion and the clock."""
import datetime as dt

import pytest

from alerts.models import Alert, AlertSettings, Incident
from alerts.services.evaluation import evaluate
from core import clock
from dispatch.models import WorkOrder
from enterprises.models import Role
from monitoring.services import ingest, partitions
from notifications.models import Notification
from tests import factories as f
from tests.monitoring.ingest_support import data_frame, device, frames

FIVE = dt.timedelta(minutes=5)
OUTLETS, SILENT = 20, 16


@pytest.fixture
def county(db):
    ingest.forget_pollutants()
    AlertSettings.objects.update_or_create(pk=1, defaults={"missing_data_minutes": 10})
    town = f.township()
    devices = [device(f.outlet(f.permit(f.enterprise(town)), limits={"w01018": 100}), reporting_interval_minutes=5)
               for _ in range(OUTLETS)]
    return {"devices": devices, "bureau": f.bureau_user(), "officer": f.user(Role.TOWNSHIP, township=town)}


def _cycle(sending, at) -> dict:
    """Every device of ``sending`` sends one packet at ``at``, then the 5-minute warning cycle runs."""
    with clock.frozen(at):
        if sending:
            got = ingest.ingest_frames(frames(*(data_frame(d.mn, at, {"w01018": {"Rtd": 20.0, "Flag": "N"}})
                                                for d in sending)), source="test")
            assert len(got) == len(sending)
        return vars(evaluate(at))


def test_an_outage_is_one_incident_and_the_county_comes_back(county):
    devices, bureau = county["devices"], county["bureau"]
    broken, cut = devices[0], devices[1:SILENT]  # the broken one goes silent first; then 15 more with it
    live = devices[SILENT:]
    at = clock.now().replace(second=0, microsecond=0)
    partitions.create_ahead()
    for _ in range(3):  # normal operation
        assert _cycle(devices, at)["opened"] == 0
        at += FIVE
    for _ in range(3):  # the broken device stops: after 10 minutes its ordinary warning opens
        _cycle(devices[1:], at)
        at += FIVE
    warning = Alert.objects.get(outlet=broken.outlet, rule="missing_data")
    assert warning.notify_count == 1 and not warning.is_alarm

    for _ in range(3):  # the others are missing after their 10 minutes: the incident opens
        _cycle(live, at)
        at += FIVE
    assert Incident.objects.filter(resolved_at__isnull=True).exists()
    nagged = Alert.objects.get(pk=warning.pk).notify_count
    for _ in range(11):  # 55 more minutes of outage, well past the 30 minutes of escalation
        _cycle(live, at)
        at += FIVE
    incident = Incident.objects.get()
    assert incident.resolved_at is None and incident.peak_outlets == SILENT and incident.monitored_outlets == OUTLETS
    assert Alert.objects.filter(rule="missing_data").count() == 1  # none per outlet under the incident
    warning.refresh_from_db()
    assert warning.muted == "incident" and not warning.is_alarm and warning.notify_count == nagged
    assert not WorkOrder.objects.exists()
    told = Notification.objects.filter(kind="alert.incident")
    assert sorted(told.values_list("enterprise_id", flat=True)) == sorted(d.outlet.enterprise_id for d in cut + [broken])
    assert Notification.objects.filter(kind="alert.incident_opened", user=bureau).count() == 1

    back = _cycle(devices[1:], at)  # the network is back; the broken device stays silent
    at += FIVE
    incident.refresh_from_db()
    assert incident.resolved_at is not None and back["escalated"] == 0
    assert Notification.objects.filter(kind="alert.incident_resolved", user=bureau).count() == 1
    warning.refresh_from_db()
    assert warning.muted == "" and not warning.is_alarm
    for _ in range(6):  # the broken outlet gets its full 30 minutes again, then its work order
        _cycle(devices[1:], at)
        at += FIVE
    warning.refresh_from_db()
    assert warning.is_alarm and WorkOrder.objects.get().source_ref == warning.source_ref
    assert Alert.objects.filter(rule="missing_data").count() == 1 and Incident.objects.count() == 1
    assert Notification.objects.filter(kind="alert.incident").count() == SILENT  # each enterprise told once
