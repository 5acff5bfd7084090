"""What a data logger sends besides readings is kept once and shown in words: a start-up time (CN 2081),
running status and times (CN 2021, 2041), raw and calibration data, replies; a heartbeat (CN 9015) marks
the device as seen; a time-calibration request (CN 1013) is answered with the time (CN 1012)."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import clock
from enterprises.models import Role
from monitoring import hj212
from monitoring.models import Device, DeviceMessage, HeldValue, Reading
from monitoring.services import ingest
from tests import factories
from tests.monitoring.ingest_support import TZ, device, frames

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 1, 12, 0, 30, tzinfo=TZ)


def upload(dev: Device, cn: str, cp: str, *, qn: str = "20250301100000001", flag: int = 5) -> bytes:
    return hj212.build_frame(hj212.data_segment(cn=cn, mn=dev.mn, qn=qn, flag=flag, cp=cp))


def run(*raw: bytes, now=NOW):
    with clock.frozen(now):
        return ingest.ingest_frames(frames(*raw), source="test")


def replies(outcome) -> list[hj212.Packet]:
    return [hj212.parse_packet(f.data) for f in hj212.FrameReader().feed(outcome.reply())]


def test_start_up_status_and_running_times_are_kept_once_and_acknowledged():
    dev = device()
    start = upload(dev, "2081", "DataTime=20250301100000;RestartTime=20250301095812")
    status = upload(dev, "2021", "DataTime=20250301100000;SB1-RS=1;SB2-RS=2", qn="20250301100000002")
    hours = upload(dev, "2041", "DataTime=20250301000000;SB1-RT=23.5;SB2-RT=12", qn="20250301100000003")
    outcomes = run(start, status, hours)
    assert all(o.accepted for o in outcomes) and [replies(o)[0].cn for o in outcomes] == ["9014"] * 3
    run(start, status)  # resent after a lost acknowledgement: acknowledged again, kept once
    kept = {m.cn: m for m in DeviceMessage.objects.filter(device=dev)}
    assert sorted(kept) == ["2021", "2041", "2081"] and DeviceMessage.objects.count() == 3
    assert kept["2081"].params == {"DataTime": "20250301100000", "RestartTime": "20250301095812"}
    assert kept["2081"].observed_at == dt.datetime(2025, 3, 1, 10, 0, tzinfo=TZ)
    assert kept["2021"].items == {"SB1": {"RS": "1"}, "SB2": {"RS": "2"}}
    assert kept["2041"].items == {"SB1": {"RT": "23.5"}, "SB2": {"RT": "12"}}
    assert not Reading.objects.filter(device=dev).exists() and not HeldValue.objects.exists()
    dev.refresh_from_db()
    assert dev.accepted_packets == 5 and dev.last_contact_at == NOW
    assert dev.last_seen_at is None  # no data yet: the missing-data warning still counts it missing


def test_raw_and_calibration_data_and_unreadable_tokens_are_kept_as_sent():
    dev = device()
    run(upload(dev, "2013", "DataTime=20250301100000;w01018-Rtd=12.1,w01018-Flag=N"),
        upload(dev, "2062", "DataTime=20250301100000;w21003-SampleTime=20250301090000,w21003-Rtd=5.02;oops",
               qn="20250301100000002"))
    raw, check = DeviceMessage.objects.get(cn="2013"), DeviceMessage.objects.get(cn="2062")
    assert raw.items == {"w01018": {"Rtd": "12.1", "Flag": "N"}}
    assert check.items == {"w21003": {"SampleTime": "20250301090000", "Rtd": "5.02"}}
    assert check.params["unread"] == ["oops"]
    assert not Reading.objects.exists()  # raw and check values are not the outlet's readings


def test_a_heartbeat_marks_the_device_in_contact_and_keeps_nothing():
    dev = device()
    [outcome] = run(upload(dev, "9015", "", flag=4), now=NOW)
    assert outcome.accepted and outcome.reply() is None
    dev.refresh_from_db()
    assert dev.last_contact_at == NOW and dev.last_seen_at is None and not DeviceMessage.objects.exists()


def test_a_time_request_is_answered_with_the_time_and_the_replies_are_kept():
    dev = device()
    [asked] = run(upload(dev, "1013", "PolId=w01018", flag=5))
    with clock.frozen(NOW):  # the time of the answer
        ack, setting = replies(asked)
    assert ack.cn == "9014" and ack.qn == "20250301100000001"
    assert (setting.cn, setting.mn, setting.pw, setting.st) == ("1012", dev.mn, "123456", "32")
    assert setting.params == {"PolId": "w01018", "SystemTime": "20250301120030"}  # local time
    assert setting.wants_ack and setting.version == "2017" and setting.qn != ack.qn
    [silent] = run(upload(dev, "1013", "", flag=4, qn="20250301100000009"))
    assert [p.cn for p in replies(silent)] == ["1012"]  # the time goes out even when no ack was asked
    # the logger answers the 1012: ready, then done; two replies with the same content are two messages
    run(upload(dev, "9011", "QnRtn=1", qn=setting.qn, flag=4), upload(dev, "9012", "ExeRtn=1", qn=setting.qn, flag=4),
        upload(dev, "9011", "QnRtn=1", qn="20250301120100000", flag=4))
    assert sorted(DeviceMessage.objects.filter(device=dev).values_list("cn", "qn")) == sorted([
        ("1013", "20250301100000001"), ("1013", "20250301100000009"), ("9011", "20250301120100000"),
        ("9011", setting.qn), ("9012", setting.qn)])


def test_staff_see_the_messages_of_their_area_in_words(client):
    mine, other = device(), device()
    run(upload(mine, "2081", "DataTime=20250301100000;RestartTime=20250301095812"),
        upload(mine, "2021", "DataTime=20250301100000;SB1-RS=4", qn="20250301100000002"),
        upload(mine, "2013", "DataTime=20250301100000;w01018-Rtd=12.1", qn="20250301100000003"),
        upload(other, "2081", "DataTime=20250301110000;RestartTime=20250301105500"))
    town = mine.outlet.enterprise.township
    client.force_login(factories.user(Role.TOWNSHIP, township=town))
    page = client.get(reverse("monitoring:device-messages")).text
    assert "数采仪开机" in page and "开机时间 2025-03-01 09:58:12" in page
    assert "设备运行状态" in page and "仪器 1：运行状态 报警" in page
    assert "化学需氧量：实时值 12.1 mg/L" in page
    assert "2025-03-01 12:00:30" in page  # received, local time
    assert mine.mn in page and other.mn not in page  # another township's device is not in reach
    assert "RestartTime" not in page and "SB1-RS" not in page
    filtered = client.get(reverse("monitoring:device-messages"), {"cn": "2021"}).text
    assert "仪器 1：运行状态 报警" in filtered and "开机时间" not in filtered
    client.force_login(factories.user(Role.BUREAU))
    assert other.mn in client.get(reverse("monitoring:device-messages")).text
    client.force_login(factories.user(Role.ENTERPRISE, enterprise=mine.outlet.enterprise))
    assert client.get(reverse("monitoring:device-messages")).status_code == 403


def test_replay_says_which_lines_were_kept_as_messages(tmp_path):
    dev = device()
    capture = tmp_path / "capture.log"
    capture.write_bytes(upload(dev, "2081", "DataTime=20250301100000;RestartTime=20250301095812"))
    out = io.StringIO()
    with clock.frozen(NOW):
        call_command("replay_hj212", str(capture), stdout=out)
    assert f"line 1: MN {dev.mn} CN 2081 stored: 0 readings (0 new), 0 held, kept as a device message; reply: 9014" \
        in out.getvalue()
    assert DeviceMessage.objects.get(device=dev).params["RestartTime"] == "20250301095812"


def test_a_running_status_is_kept_when_it_changes():
    """Loggers that repeat their status every minute do not fill the table: a status that repeats the one
    before it is acknowledged and not kept again, in one batch or across batches; a backfill is kept."""
    dev = device()

    def status(minute: int, rs: str) -> bytes:
        return upload(dev, "2021", f"DataTime=202503011{minute:03d}00;SB1-RS={rs}", qn=f"2025030110{minute:02d}00000")

    run(status(0, "1"), status(1, "1"), status(2, "2"))
    outcomes = run(status(3, "2"), status(4, "1"), status(5, "1"))
    run(upload(dev, "2021", "DataTime=20250301090000;SB1-RS=1", qn="20250301090000000"))  # sent late
    assert all(o.accepted and replies(o)[0].cn == "9014" for o in outcomes)
    assert [o.messages for o in outcomes] == [0, 1, 0]  # 10:03 repeats 10:02, 10:05 repeats 10:04
    kept = [(m.observed_at.astimezone(TZ).strftime("%H:%M"), m.items["SB1"]["RS"])
            for m in DeviceMessage.objects.filter(device=dev).order_by("observed_at")]
    assert kept == [("09:00", "1"), ("10:00", "1"), ("10:02", "2"), ("10:04", "1")]
