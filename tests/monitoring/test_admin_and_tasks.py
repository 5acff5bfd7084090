"""Monitoring admin pages render for bureau staff; the daily partition task creates the week ahead."""
import datetime as dt

import pytest
from django.db import connection

from core import clock
from monitoring import tasks
from monitoring.services import partitions
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["monitoring/station", "monitoring/device", "monitoring/ingestrejection",
                                   "monitoring/aggregate", "alerts/alert", "alerts/silence",
                                   "notifications/notification"])
def test_admin_changelists_render(client, model):
    admin = f.bureau_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/{model}/").status_code == 200


def test_partition_task_creates_yesterday_to_a_week_ahead():
    assert connection.vendor == "postgresql"
    at = dt.datetime(2031, 5, 10, 12, 0, tzinfo=dt.UTC)
    with clock.frozen(at):
        tasks.create_reading_partitions()
    partitions.forget_known_days()
    days = partitions.existing_days()
    for n in range(-1, 8):
        assert dt.date(2031, 5, 10) + dt.timedelta(days=n) in days
