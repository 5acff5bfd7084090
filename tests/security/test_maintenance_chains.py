"""Maintenance windows chained without end, tried as an enterprise would through the API: short windows
(each under the self-approval threshold) back to back, overlapping, or with small gaps count together as
one maintenance period, against the approval threshold and against the longest window."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from alerts.models import AlertSettings, Silence
from core import clock
from enterprises.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
NOW = T0 - 2 * H  # the windows are declared ahead


@pytest.fixture
def site():
    out = f.outlet(f.permit(f.enterprise()))
    owner = APIClient()
    owner.force_authenticate(f.user(Role.ENTERPRISE, enterprise=out.enterprise))
    return out, owner


def declare(client, out, start, end):
    with clock.frozen(NOW):
        return client.post("/api/v1/silences/", {"outlet": out.pk, "starts_at": start.isoformat(),
                                                 "ends_at": end.isoformat(), "reason": "检修"}, format="json")


def test_back_to_back_short_windows_need_approval_once_together_too_long(site):
    out, owner = site  # self-approved up to 120 minutes (the default)
    first = declare(owner, out, T0, T0 + 2 * H)
    second = declare(owner, out, T0 + 2 * H, T0 + 3 * H)  # adjoining
    later = declare(owner, out, T0 + 10 * H, T0 + 11 * H)
    assert (first.status_code, second.status_code, later.status_code) == (201, 201, 201)
    assert (first.json()["status"], second.json()["status"], later.json()["status"]) == \
        ("approved", "requested", "approved")
    near = declare(owner, out, T0 + 11 * H + dt.timedelta(minutes=5), T0 + 12 * H + dt.timedelta(minutes=30))
    assert near.json()["status"] == "requested"  # a 5-minute gap still joins: 2.5 hours together
    inside = declare(owner, out, T0 + 10 * H + dt.timedelta(minutes=30), T0 + 11 * H + dt.timedelta(minutes=30))
    assert inside.json()["status"] == "requested"  # overlapping ones too
    apart = declare(owner, out, T0 + 15 * H, T0 + 16 * H)  # 2.5 hours after the last one: a period of its own
    assert apart.json()["status"] == "approved"


def test_windows_chained_beyond_the_longest_are_refused_even_when_approved(site):
    out, owner = site
    AlertSettings.objects.update_or_create(pk=1, defaults={"max_silence_hours": 6})
    for hour in range(0, 6, 2):  # three adjoining 2-hour windows: 6 hours, each requested after the first
        assert declare(owner, out, T0 + hour * H, T0 + (hour + 2) * H).status_code == 201
    Silence.objects.update(status=Silence.Status.APPROVED)  # even the township's approval does not stretch it
    refused = declare(owner, out, T0 + 6 * H, T0 + 7 * H)
    assert refused.status_code == 400 and "6" in refused.json()["detail"]
    before = declare(owner, out, T0 - H, T0)
    assert before.status_code == 400
    assert Silence.objects.count() == 3


def test_rejected_and_cancelled_windows_do_not_count(site):
    out, owner = site
    declare(owner, out, T0, T0 + 2 * H)
    requested = declare(owner, out, T0 + 2 * H, T0 + 3 * H).json()
    Silence.objects.filter(pk=requested["id"]).update(status=Silence.Status.REJECTED)
    cancelled = declare(owner, out, T0 + 20 * H, T0 + 22 * H).json()
    with clock.frozen(NOW):
        assert owner.post(f"/api/v1/silences/{cancelled['id']}/cancel/").status_code == 200
    assert declare(owner, out, T0 + 22 * H, T0 + 23 * H).json()["status"] == "approved"
    assert declare(owner, out, T0 + 2 * H, T0 + 3 * H).json()["status"] == "requested"  # the first still counts
