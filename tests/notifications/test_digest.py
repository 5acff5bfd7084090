"""Repeats grouped into one digest per recipient per cycle, from real warnings: HJ 212 packets enter
ingestion, the 5-minute cycle opens three warnings of one enterprise (told at once, one message each),
re-notifies them every cycle (one digest per channel listing the three, each still in the inbox), and
escalates them (the alarms stay immediate). The reference bug: 827 warnings re-notified every 5 minutes
wrote 1,209 e-mails in 18 minutes."""
import datetime as dt

import pytest
from django.core import mail

from alerts.services import evaluate
from core import clock
from enterprises.models import Role
from monitoring import hj212
from monitoring.models import Device
from monitoring.services import ingest
from notifications import services as notifications
from notifications.models import Channel, Delivery, Digest, Notification
from tests import factories as f
from tests.monitoring.ingest_support import TZ, frames

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
DAY = dt.datetime(2026, 3, 2, tzinfo=TZ)


def hourly_site(ent, codes):
    """Outlets of ``ent`` under hourly COD limits (100 mg/L), each with its data logger."""
    permit = f.permit(ent)
    devices = []
    for n, code in enumerate(codes):
        out = f.outlet(permit, code=code, limits={"w01018": 100})
        out.limits.update(averaging_period="hour")
        devices.append(Device.objects.create(mn=f"3304830000000000DG{ent.pk:04d}{n:02d}", outlet=out,
                                             password="123456", last_seen_at=DAY))
    return devices


def send_hour(device, start, value):
    raw = hj212.build_frame(hj212.data_segment(cn="2061", mn=device.mn, pw=device.password, flag=5,
                                               qn=f"{start:%Y%m%d%H%M%S}000",
                                               cp=hj212.data_cp(start, {"w01018": {"Avg": value}})))
    with clock.frozen(start + HOUR + 2 * MIN):
        [outcome] = ingest.ingest_frames(frames(raw), source="logger")
    assert outcome.accepted


def cycle(at):
    with clock.frozen(at):
        evaluate(at)
        notifications.deliver_due()


def test_repeats_of_one_cycle_become_one_digest_per_recipient_first_warnings_and_alarms_stay_immediate():
    ent = f.enterprise(contact_email="ent@example.com", contact_phone="13800001234")
    f.user(Role.ENTERPRISE, enterprise=ent)  # role default: e-mail and SMS at the enterprise's contacts
    lone = f.enterprise(contact_email="lone@example.com")  # one warning: its repeat is a plain message
    devices = hourly_site(ent, ["DW001", "DW002", "DW003"]) + hourly_site(lone, ["DW001"])
    for k, device in enumerate(devices):
        send_hour(device, DAY + 10 * HOUR, 150.0 + k)
    start = DAY + 11 * HOUR + 5 * MIN
    cycle(start)
    opened = Notification.objects.filter(kind="alert.opened", enterprise=ent)
    assert opened.count() == 3 and not Digest.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["ent@example.com"] * 3 + ["lone@example.com"]

    for n in (1, 2):
        mail.outbox.clear()
        cycle(start + 5 * MIN * n)
        repeats = Notification.objects.filter(kind="alert.repeat", enterprise=ent, created_at=start + 5 * MIN * n)
        assert repeats.count() == 3  # each warning's reminder stays in the inbox
        digest = Digest.objects.get(enterprise=ent, created_at=start + 5 * MIN * n)
        assert set(repeats.values_list("digest", flat=True)) == {digest.pk}
        assert sorted(digest.deliveries.values_list("channel", "address", "status")) == [
            (Channel.EMAIL, "ent@example.com", "sent"), (Channel.SMS, "13800001234", "sent")]
        assert not Delivery.objects.filter(notification__in=repeats).exclude(channel=Channel.IN_APP).exists()
        [to_ent] = [m for m in mail.outbox if m.to == ["ent@example.com"]]
        assert to_ent.subject == "【汇总】3 条提醒仍未处理"
        assert all(note.subject in to_ent.body for note in repeats)
        assert [m.to for m in mail.outbox if m.to != ["ent@example.com"]] == [["lone@example.com"]]
        assert not Digest.objects.filter(enterprise=lone).exists()

    for n in range(3, 7):  # on to the half hour: the warnings escalate to alarms
        cycle(start + 5 * MIN * n)
    alarms = Notification.objects.filter(kind="alert.alarm", enterprise=ent)
    assert alarms.count() == 3 and not alarms.filter(digest__isnull=False).exists()
    assert Delivery.objects.filter(notification__in=alarms, channel=Channel.EMAIL, status="sent").count() == 3
    # 7 cycles of three warnings: 3 first e-mails + one digest a cycle + 3 alarms, not 3 a cycle
    sent = Delivery.objects.filter(channel=Channel.EMAIL, address="ent@example.com", status="sent").count()
    assert sent == 3 + Digest.objects.filter(enterprise=ent).count() + 3
    assert Notification.objects.filter(kind="alert.repeat", enterprise=ent).count() == 3 * Digest.objects.filter(
        enterprise=ent).count()


def test_a_storm_to_one_recipient_becomes_one_digest_and_other_repeats_are_grouped_too(settings):
    """An officer told of more than ``NOTIFY_DIGEST_ABOVE`` alarms in one cycle gets one e-mail listing
    them (each in the inbox); one told of two gets two; an enterprise's shipment reminders (waste.repeat)
    and overdue remedy items are repeats like the warnings' reminders."""
    town = f.township()
    flooded = f.user(Role.TOWNSHIP, township=town, email="flooded@example.com")
    calm = f.user(Role.TOWNSHIP, township=town, email="calm@example.com")
    for user in (flooded, calm):
        notifications.preference_update(user=user, email=True, sms=False, wecom=False, dingtalk=False)
    ent = f.enterprise(contact_email="producer@example.com")
    n = settings.NOTIFY_DIGEST_ABOVE + 2
    batch = [notifications.Message(kind="alert.alarm", subject=f"【报警】企业{i} 化学需氧量超标", user=flooded)
             for i in range(n)]
    batch += [notifications.Message(kind="alert.alarm", subject=f"【报警】企业{i} 氨氮超标", user=calm)
              for i in range(2)]
    batch += [notifications.Message(kind=kind, subject=f"{kind} {i}", enterprise=ent)
              for kind in ("waste.repeat", "remedy_overdue") for i in range(2)]
    with clock.frozen(DAY):
        created = notifications.notify_many(batch)
        notifications.deliver_due()
    assert len(created) == n + 2 + 4  # every message stays in its recipient's inbox
    by_address = {}
    for m in mail.outbox:
        by_address.setdefault(m.to[0], []).append(m)
    [storm] = by_address["flooded@example.com"]
    assert storm.subject == f"【汇总】本轮 {n} 条新通知"
    assert all(f"【报警】企业{i} 化学需氧量超标" in storm.body for i in range(n))
    assert sorted(m.subject for m in by_address["calm@example.com"]) == [
        "【报警】企业0 氨氮超标", "【报警】企业1 氨氮超标"]
    [reminders] = by_address["producer@example.com"]
    assert reminders.subject == "【汇总】4 条提醒仍未处理"
    assert Digest.objects.count() == 2
