"""Forged readings through the bulk API, tried as an attacker would: an enterprise posts its outlet's data
for the next 40 minutes, backfills 20 days, uploads device data or pollutants it has no manual duty for,
probes other enterprises' MNs; and the real device's values arriving after an upload are stored and used."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEntry
from core import clock
from enterprises.models import MonitoringDuty, Pollutant, Role
from monitoring.models import Aggregate, BackfillApproval, DataKind, IngestRejection, Reading, ReadingSource
from monitoring.services.ingest import ingest_frames
from tests import factories
from tests.monitoring.ingest_support import TZ, data_frame, device, frames

pytestmark = pytest.mark.django_db
URL = "/api/v1/readings/bulk/"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)


@pytest.fixture
def site():
    dev = device()
    MonitoringDuty.objects.create(permit=dev.outlet.permit, outlet=dev.outlet, method=MonitoringDuty.Method.MANUAL,
                                  pollutant=Pollutant.objects.get(code="w01018"),
                                  frequency=MonitoringDuty.Frequency.MONTHLY)
    account = factories.user(Role.ENTERPRISE, enterprise=dev.outlet.enterprise)
    return dev, account


def post(user, rows):
    client = APIClient()
    client.force_authenticate(user)
    with clock.frozen(NOW):
        return client.post(URL, rows, format="json")


def manual(dev, at: dt.datetime, value=42.0, code="w01018") -> dict:
    return {"mn": dev.mn, "pollutant": code, "observed_at": at.isoformat(), "kind": "manual", "avg": value}


def reasons(response) -> list[tuple[int, str]]:
    return [(e["row"], e["reason"]) for e in response.json()["errors"]]


def test_a_manual_result_of_a_manual_duty_is_stored_with_its_author(site):
    dev, account = site
    response = post(account, [manual(dev, NOW - dt.timedelta(days=2))])
    assert response.status_code == 200, response.json()
    row = Reading.objects.get(device=dev)
    assert (row.kind, row.source, row.entered_by_id) == (DataKind.MANUAL, ReadingSource.MANUAL, account.pk)


def test_device_data_for_the_next_40_minutes_is_refused(site):
    dev, account = site
    rows = [{"mn": dev.mn, "pollutant": "w01018", "observed_at": (NOW + dt.timedelta(minutes=m)).isoformat(),
             "kind": "minute", "avg": 10} for m in range(0, 40, 10)]
    response = post(account, rows)
    assert response.status_code == 400
    assert {reason for _, reason in reasons(response)} == {"forbidden"}
    future_manual = post(account, [manual(dev, NOW + dt.timedelta(minutes=10))])
    assert reasons(future_manual) == [(1, "bad_time")] and "future" in future_manual.json()["errors"][0]["detail"]
    assert not Reading.objects.filter(device=dev).exists()


def test_a_pollutant_without_a_manual_duty_is_refused(site):
    dev, account = site
    response = post(account, [manual(dev, NOW - dt.timedelta(hours=3), code="w21003")])
    assert reasons(response) == [(1, "forbidden")]
    assert "manual monitoring duty" in response.json()["errors"][0]["detail"]


def test_a_20_day_backfill_needs_an_audited_bureau_approval(site):
    dev, account = site
    old = NOW - dt.timedelta(days=20)
    refused = post(account, [manual(dev, old)])
    assert reasons(refused) == [(1, "bad_time")] and "approve" in refused.json()["errors"][0]["detail"]
    assert not Reading.objects.filter(device=dev).exists()
    bureau = factories.bureau_user()
    with clock.frozen(NOW):
        approval = BackfillApproval.objects.create(outlet=dev.outlet, starts_at=old - dt.timedelta(days=1),
                                                   ends_at=old + dt.timedelta(days=1), reason="停电补录",
                                                   approved_by=bureau, approved_at=NOW)
    assert AuditEntry.objects.filter(model_label="monitoring.BackfillApproval", object_id=str(approval.pk)).exists()
    assert post(account, [manual(dev, old)]).status_code == 200
    outside = post(account, [manual(dev, old - dt.timedelta(days=3))])
    assert reasons(outside) == [(1, "bad_time")]


def test_other_enterprises_mns_look_like_unknown_ones(site):
    dev, account = site
    other = device()
    answers = [post(account, [manual(other, NOW - dt.timedelta(hours=1))]).json()["errors"][0],
               post(account, [{**manual(other, NOW - dt.timedelta(hours=1)), "mn": "NO-SUCH-MN-0001"}]).json()
               ["errors"][0]]
    assert [a["reason"] for a in answers] == ["unknown_mn", "unknown_mn"]
    assert "forbidden" not in answers[0]["detail"] and "may not" not in answers[0]["detail"]
    other.refresh_from_db()
    assert other.rejected_packets == 0  # the probe is not even counted on the other enterprise's device
    assert not IngestRejection.objects.filter(device=other).exists()


def test_device_data_arriving_after_an_upload_is_stored_and_used(site):
    dev, account = site
    at = NOW - dt.timedelta(minutes=30)
    assert post(account, [manual(dev, at, value=5.0)]).status_code == 200
    with clock.frozen(NOW):
        [outcome] = ingest_frames(frames(data_frame(dev.mn, at, {"w01018": {"Avg": 88.0, "Flag": "N"}}, cn="2051")),
                                  source="127.0.0.1:5000")
    assert outcome.accepted and outcome.stored == 1
    stored = {r.source: r for r in Reading.objects.filter(device=dev, observed_at=at)}
    assert stored[ReadingSource.DEVICE_TCP].value == 88.0 and stored[ReadingSource.DEVICE_TCP].kind == DataKind.MINUTE
    assert stored[ReadingSource.MANUAL].value == 5.0
    hour = Aggregate.objects.get(outlet=dev.outlet, period=Aggregate.Period.HOUR)
    assert (hour.count, hour.avg) == (1, 88.0)  # the warning cycle reads the device value, not the upload
