"""A device's history (GET /api/v1/readings/) is bounded in time: the last day by default, ``since``/``until`` in
ISO 8601, local time when no offset is given, and a "+08:00" a client left unencoded in the query string (it
arrives as a space) read as the offset it was, not refused."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from core import clock
from monitoring.services import ingest
from tests import factories
from tests.monitoring.ingest_support import TZ, device

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=TZ)
URL = "/api/v1/readings/"


def hours_of(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [r["observed_at"] for r in response.json()["results"]]


def test_history_is_the_last_day_by_default_and_takes_local_and_unencoded_times():
    dev = device()
    rows = [{"mn": dev.mn, "pollutant": "w01018", "kind": "hour", "avg": 50 + h, "flag": "N",
             "observed_at": (NOW - dt.timedelta(hours=h)).isoformat()} for h in range(1, 49)]
    with clock.frozen(NOW):
        assert ingest.ingest_rows(rows, may_post=lambda d: True, now=NOW).stored == 48
        api = APIClient()
        api.force_authenticate(factories.bureau_user())
        base = f"{URL}?outlet={dev.outlet_id}&kind=hour&pollutant=w01018"
        default = hours_of(api.get(base))
        assert len(default) == 24 and default[0] == "2026-03-09T12:00:00+08:00"
        local = hours_of(api.get(f"{base}&since=2026-03-09T08:00:00&until=2026-03-09T10:00:00"))
        assert local == ["2026-03-09T08:00:00+08:00", "2026-03-09T09:00:00+08:00"]
        unencoded = hours_of(api.get(f"{base}&since=2026-03-09T00:00:00Z&until=2026-03-09T10:00:00+08:00"))
        assert unencoded == ["2026-03-09T08:00:00+08:00", "2026-03-09T09:00:00+08:00"]
        encoded = hours_of(api.get(URL, {"outlet": dev.outlet_id, "kind": "hour", "pollutant": "w01018",
                                         "since": "2026-03-09T08:00:00+08:00", "until": "2026-03-09T10:00:00+08:00"}))
        assert encoded == unencoded
        too_long = api.get(f"{base}&since=2025-01-01T00:00:00&until=2026-03-09T10:00:00+08:00")
        assert too_long.status_code == 400 and "until" in too_long.json()
        assert api.get(f"{base}&until=2026-03-09T10:00:00 99").status_code == 400
