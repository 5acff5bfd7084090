"""A logger that stays connected and sends only heartbeats and its running status is missing data: the
packets go through ingestion, the warning cycle runs at its own times, and the warning's page says the logger
is still in contact. Data again clears it."""
import datetime as dt

import pytest
from django.urls import reverse

from alerts.models import Alert, Rule
from alerts.services import evaluate
from core import clock
from enterprises.models import Role
from monitoring import hj212
from monitoring.models import Device
from monitoring.services import ingest
from tests import factories as f
from tests.alerts.alert_support import site
from tests.monitoring.ingest_support import TZ, frames

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
MIN = dt.timedelta(minutes=1)


def send(device: Device, at: dt.datetime, cn: str, cp: str) -> None:
    raw = hj212.build_frame(hj212.data_segment(cn=cn, mn=device.mn, pw=device.password, flag=5,
                                               qn=f"{at:%Y%m%d%H%M%S}000", cp=cp))
    with clock.frozen(at):
        [outcome] = ingest.ingest_frames(frames(raw), source="logger")
    assert outcome.accepted


def test_heartbeats_alone_are_missing_data_and_the_warning_says_the_logger_is_in_contact(client):
    out, device = site()
    Device.objects.filter(pk=device.pk).update(last_seen_at=None)
    send(device, T0, "2011", hj212.data_cp(T0, {"w01018": {"Rtd": 40, "Flag": "N"}}))
    for k in range(1, 100):  # a heartbeat a minute, the running status every half hour, no data
        at = T0 + k * MIN
        send(device, at, "9015", "")
        if k % 30 == 0:
            send(device, at, "2021", f"DataTime={at:%Y%m%d%H%M%S};SB1-RS=1")
    now = T0 + 100 * MIN
    with clock.frozen(now):
        evaluate(now)
    device.refresh_from_db()
    assert device.last_seen_at == T0 and device.last_contact_at == T0 + 99 * MIN
    alert = Alert.objects.get(rule=Rule.MISSING_DATA, outlet=out)
    client.force_login(f.user(Role.BUREAU))
    page = client.get(reverse("alerts:alert-detail", args=[alert.pk])).text
    assert f"数采仪 {device.mn}" in page and "最近数据 2026-03-02 09:00" in page
    assert "最近联络 2026-03-02 10:39" in page and "仍在联络（心跳或状态），但未上报数据" in page
    assert "已请求补传 2026-03-02 08:50 起的数据：等待数采仪上线" in page
    later = now + 5 * MIN
    send(device, later, "2011", hj212.data_cp(later, {"w01018": {"Rtd": 41, "Flag": "N"}}))
    with clock.frozen(later + MIN):
        evaluate(later + MIN)
    alert.refresh_from_db()
    assert alert.clear_since == later + MIN  # data again: the warning starts to clear
