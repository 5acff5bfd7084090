"""POST /api/v1/readings/bulk/: JSON and CSV, all-or-nothing with per-row errors, exactly once, who may post."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core import clock
from enterprises.models import MonitoringDuty, Pollutant, Role
from monitoring.models import IngestRejection, Reading
from tests import factories
from tests.monitoring.ingest_support import TZ, device, station

pytestmark = pytest.mark.django_db
URL = "/api/v1/readings/bulk/"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, body, **kwargs):
    with clock.frozen(NOW):
        return client_for(user).post(URL, body, format="json", **kwargs)


def test_json_rows_are_stored_once_and_resends_counted_as_duplicates():
    dev = device()
    rows = [{"mn": dev.mn, "pollutant": "w01018", "observed_at": "2025-03-01T10:00:00", "kind": "hour",
             "avg": 55.5, "min": "50", "max": 60, "cou": 1.2, "flag": "N"},
            {"mn": dev.mn, "pollutant": "060", "observed_at": "20250301100000", "kind": "hour", "avg": "3.5"}]
    response = post(factories.bureau_user(), rows)
    assert response.status_code == 200, response.json()
    assert response.json() == {"received": 2, "stored": 2, "duplicates": 0}
    response = post(factories.bureau_user(), {"readings": rows})
    assert response.json() == {"received": 2, "stored": 0, "duplicates": 2}
    stored = {r.pollutant.code: r for r in Reading.objects.filter(device=dev)}
    assert stored["w01018"].observed_at == dt.datetime(2025, 3, 1, 10, tzinfo=TZ)
    assert (stored["w01018"].avg, stored["w01018"].min, stored["w01018"].value) == (55.5, 50.0, 55.5)
    assert stored["w21003"].avg == 3.5  # 2005 code 060


def test_any_bad_row_refuses_the_request_with_row_numbers_and_reasons():
    dev = device()
    good = {"mn": dev.mn, "pollutant": "w01018", "observed_at": "2025-03-01T10:00:00+08:00", "kind": "realtime",
            "rtd": 1}
    rows = [good,
            {**good, "rtd": "abc"},
            {**good, "mn": "NOPE"},
            {**good, "pollutant": "zz999"},
            {**good, "kind": "weekly"},
            {**good, "observed_at": "yesterday"},
            {**good, "observed_at": "2025-03-02T10:00:00"},  # a day in the future
            {**good, "flag": "Q"},
            {**good, "colour": "red"},
            "not an object"]
    response = post(factories.bureau_user(), rows)
    assert response.status_code == 400
    errors = [(e["row"], e["reason"]) for e in response.json()["errors"]]
    assert errors == [(2, "bad_number"), (3, "unknown_mn"), (4, "unknown_pollutant"), (5, "bad_field"),
                      (6, "bad_time"), (7, "bad_time"), (8, "bad_field"), (9, "bad_field"), (10, "bad_field")]
    assert not Reading.objects.exists()
    assert IngestRejection.objects.filter(source__startswith="api:").count() == 9


def test_csv_upload_with_line_numbers():
    dev = device()
    csv_text = ("mn,pollutant,observed_at,kind,avg,flag\n"
                f"{dev.mn},w01018,2025-03-01 10:00:00,minute,12.5,N\n"
                f"{dev.mn},w21003,2025-03-01 10:00:00,minute,0.8,\n")
    upload = SimpleUploadedFile("r.csv", csv_text.encode("utf-8-sig"), content_type="text/csv")
    with clock.frozen(NOW):
        response = client_for(factories.bureau_user()).post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["stored"] == 2
    bad = SimpleUploadedFile("r.csv", (csv_text + f"{dev.mn},w01018,2025-03-01 10:10:00,minute,x,N\n").encode(),
                             content_type="text/csv")
    with clock.frozen(NOW):
        response = client_for(factories.bureau_user()).post(URL, {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert [(e["row"], e["reason"]) for e in response.json()["errors"]] == [(4, "bad_number")]
    assert Reading.objects.count() == 2


def test_enterprise_account_posts_only_manual_results_for_its_own_devices():
    """An enterprise sends manual results of its manual duties only (tests/security/test_forged_readings.py
    has the rest); another enterprise's or a station's device answers like an unknown MN."""
    own, other = device(), device()
    MonitoringDuty.objects.create(permit=own.outlet.permit, outlet=own.outlet, method=MonitoringDuty.Method.MANUAL,
                                  pollutant=Pollutant.objects.get(code="w01018"),
                                  frequency=MonitoringDuty.Frequency.MONTHLY)
    account = factories.user(Role.ENTERPRISE, enterprise=own.outlet.enterprise)
    row = {"pollutant": "w01018", "observed_at": "2025-03-01T10:00:00", "kind": "manual", "avg": 5}
    assert post(account, [{**row, "mn": own.mn}]).status_code == 200
    response = post(account, [{**row, "mn": other.mn}])
    assert response.status_code == 400 and response.json()["errors"][0]["reason"] == "unknown_mn"
    stn_dev = device(station=station())
    assert post(account, [{**row, "mn": stn_dev.mn, "pollutant": "a34004"}]).json()["errors"][0]["reason"] == \
        "unknown_mn"
    assert Reading.objects.filter(device=other).count() == 0
    realtime = {**row, "kind": "realtime", "rtd": 5, "pollutant": "a34004", "mn": stn_dev.mn}
    assert post(factories.bureau_user(), [realtime]).status_code == 200


@pytest.mark.parametrize("role", [Role.ENFORCEMENT, Role.TOWNSHIP])
def test_other_roles_and_anonymous_may_not_post(role):
    dev = device()
    binding = {"township": dev.outlet.enterprise.township} if role == Role.TOWNSHIP else {}
    row = [{"mn": dev.mn, "pollutant": "w01018", "observed_at": "2025-03-01T10:00:00", "kind": "realtime", "rtd": 5}]
    assert post(factories.user(role, **binding), row).status_code == 403
    assert APIClient().post(URL, row, format="json").status_code in (401, 403)


def test_malformed_bodies_are_400():
    user = factories.bureau_user()
    assert post(user, {"rows": []}).status_code == 400
    assert post(user, []).status_code == 400
    with clock.frozen(NOW):
        response = client_for(user).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
