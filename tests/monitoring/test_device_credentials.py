"""Device credentials: every device its own generated password, no blank ones, and password guessing
locked out per MN and per address, through the ingestion path the TCP server uses."""
import datetime as dt
import time
import uuid

import pytest

from monitoring import hj212
from monitoring.models import Device, Reading
from monitoring.services import ingest
from tests.monitoring.ingest_support import TZ, data_frame, device, frames

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=TZ)
NOW = T0 + dt.timedelta(minutes=30)


def send(frame: bytes, address: str):
    outcome, = ingest.ingest_frames(frames(frame), source=f"{address}:50000", now=NOW)
    return outcome


def packet(dev_mn: str, minute: int, pw: str) -> bytes:
    return data_frame(dev_mn, T0 + dt.timedelta(minutes=minute), {"w01018": {"Rtd": 12.5, "Flag": "N"}}, pw=pw)


def fresh_device(**fields) -> Device:
    return device(mn=f"CRED{uuid.uuid4().hex[:20].upper()}", **fields)


def test_each_device_gets_its_own_generated_password():
    outlet_device = Device.objects.create(mn=f"A{uuid.uuid4().hex[:20]}", outlet=device().outlet)
    other = Device.objects.create(mn=f"B{uuid.uuid4().hex[:20]}", outlet=device().outlet)
    assert len(outlet_device.password) == 12 and outlet_device.password.isalnum()
    assert outlet_device.password != other.password and "123456" not in (outlet_device.password, other.password)


def test_a_blank_password_accepts_nothing():
    dev = fresh_device(password="")
    assert send(packet(dev.mn, 0, ""), "10.20.0.1").reason == "wrong_pw"
    assert send(packet(dev.mn, 1, "anything"), "10.20.0.1").reason == "wrong_pw"


def test_password_guessing_locks_out_the_mn_and_the_address(settings):
    settings.HJ212_MAX_FAILED_LOGINS = 5
    settings.HJ212_MAX_FAILED_PER_ADDRESS = 8
    dev = fresh_device(password="Rt7kP2qLx9Zm")
    guesser, elsewhere = "10.21.0.1", "10.21.0.2"
    assert [send(packet(dev.mn, m, f"guess{m}"), guesser).reason for m in range(5)] == ["wrong_pw"] * 5
    # the right password now: refused, from the guesser's address and from anywhere else (the MN is locked)
    right = send(packet(dev.mn, 10, "Rt7kP2qLx9Zm"), guesser)
    assert (right.accepted, right.reason) == (False, "locked_out")
    assert send(packet(dev.mn, 11, "Rt7kP2qLx9Zm"), elsewhere).reason == "locked_out"
    # spraying other MNs from one address locks the address
    other = fresh_device(password="Other000PW12")
    for m in range(3):
        send(packet(f"NOSUCH{uuid.uuid4().hex[:18]}", m, "x"), guesser)
    assert send(packet(other.mn, 0, "Other000PW12"), guesser).reason == "locked_out"
    assert send(packet(other.mn, 1, "Other000PW12"), elsewhere).accepted


def test_the_lockout_ends_after_its_time(settings):
    settings.HJ212_MAX_FAILED_LOGINS = 2
    settings.HJ212_LOCKOUT_SECONDS = 1
    dev = fresh_device(password="Ends4fterOne")
    for m in range(2):
        send(packet(dev.mn, m, "nope"), "10.22.0.1")
    assert send(packet(dev.mn, 5, "Ends4fterOne"), "10.22.0.1").reason == "locked_out"
    time.sleep(2.1)
    assert send(packet(dev.mn, 6, "Ends4fterOne"), "10.22.0.1").accepted


def test_unknown_mn_and_wrong_password_look_the_same_to_the_sender(settings):
    dev = fresh_device(password="Same4Sender1")
    wrong = send(packet(dev.mn, 0, "wrong"), "10.23.0.1")
    unknown = send(packet(f"NOSUCH{uuid.uuid4().hex[:18]}", 0, "wrong"), "10.23.0.2")
    codes = [hj212.parse_packet(frames(o.reply())[0].data).params["QnRtn"] for o in (wrong, unknown)]
    assert codes == ["2", "2"] and (wrong.reason, unknown.reason) == ("wrong_pw", "unknown_mn")
    settings.HJ212_DISTINCT_REFUSALS = True
    codes = [hj212.parse_packet(frames(o.reply())[0].data).params["QnRtn"] for o in (wrong, unknown)]
    assert codes == ["3", "4"]


def test_guesses_in_one_batch_lock_out_the_packets_after_them(settings):
    """The counters are read once per batch: the batch's own failures count at once, so the right password
    after five guesses in the same batch is refused as it would be packet by packet."""
    settings.HJ212_MAX_FAILED_LOGINS = 5
    dev = fresh_device(password="Batch5Guess1")
    batch = [packet(dev.mn, m, f"guess{m}") for m in range(5)] + [packet(dev.mn, 9, "Batch5Guess1")]
    outcomes = ingest.ingest_frames(frames(*batch), source="10.24.0.1:50000", now=NOW)
    assert [o.reason for o in outcomes] == ["wrong_pw"] * 5 + ["locked_out"]
    assert not Reading.objects.filter(device=dev).exists()


def test_a_device_changed_between_batches_is_read_again():
    """Devices are kept between batches; a new password, a deactivation or a move to another outlet, even
    by an UPDATE that sends no signal, holds for the next batch."""
    dev = fresh_device(password="Kept4Batches")
    assert send(packet(dev.mn, 0, "Kept4Batches"), "10.25.0.1").accepted
    Device.objects.filter(pk=dev.pk).update(password="NewPassword1")
    assert send(packet(dev.mn, 1, "Kept4Batches"), "10.25.0.1").reason == "wrong_pw"
    assert send(packet(dev.mn, 2, "NewPassword1"), "10.25.0.1").accepted
    other = device().outlet
    Device.objects.filter(pk=dev.pk).update(outlet=other)
    assert send(packet(dev.mn, 3, "NewPassword1"), "10.25.0.1").accepted
    assert Reading.objects.get(device=dev, observed_at=T0 + dt.timedelta(minutes=3)).outlet_id == other.pk
    Device.objects.filter(pk=dev.pk).update(is_active=False)
    assert send(packet(dev.mn, 4, "NewPassword1"), "10.25.0.1").reason == "inactive"
