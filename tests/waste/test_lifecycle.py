"""A transfer warning lives the monitoring warnings' life, with their timings (``AlertSettings``), through
the real check and the real pages: the producer and the township are told at once and again every
``repeat_minutes`` until the producer acknowledges on the manifest page (a township officer cannot);
acknowledging stops the reminders, not the escalation, which ``escalate_minutes`` after opening makes it
an alarm with a work order for the township's enforcement team; staff of the township close it with a
reason (staff elsewhere cannot even see it), and the closed fact is not raised again."""
import datetime as dt

import pytest
from django.test import Client

from alerts.models import AlertSettings
from core import clock
from dispatch.models import WorkOrder
from enterprises.models import Role
from notifications.models import Notification
from tests import factories as f
from waste.models import WasteAlert, WasteAlertState

from .support import T0, draft, ship, track, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=50)


def check(at):
    from waste.services.alerts import transfers_check

    with clock.frozen(at):
        return transfers_check(at)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def told(alert) -> list[tuple[str, int | None, int | None]]:
    return in_order((n.kind, n.enterprise_id, n.user_id) for n in Notification.objects.filter(source=alert.source_ref))


def in_order(items) -> list:
    return sorted(items, key=repr)


def test_reminders_acknowledgement_escalation_and_closing():
    with clock.frozen(NOW):
        w = world()
        ship(w, draft(w), rows=[r for i, r in enumerate(track()) if not 10 < i < 30])  # a 20-minute gap
    timing = AlertSettings.current()
    assert (timing.repeat_minutes, timing.escalate_minutes) == (5, 30)
    check(NOW)
    alert = WasteAlert.objects.get()
    producer, officer = (w.producer.pk, None), (None, w.officer.pk)
    assert told(alert) == in_order([("waste.opened", *producer), ("waste.opened", *officer)])

    check(NOW + dt.timedelta(minutes=3))  # not due yet
    check(NOW + timing.repeat)
    assert [t for t in told(alert) if t[0] == "waste.repeat"] == in_order([("waste.repeat", *producer),
                                                                         ("waste.repeat", *officer)])
    assert Notification.objects.filter(source=alert.source_ref, subject__startswith="【第2次提醒】").count() == 2

    url = f"/waste/warnings/{alert.pk}/acknowledge/"
    with clock.frozen(NOW + dt.timedelta(minutes=7)):
        assert logged_in(w.officer).post(url).status_code == 403  # only the producer acknowledges
        assert logged_in(w.producer_user).post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.state == WasteAlertState.ACKNOWLEDGED and alert.acknowledged_by == w.producer_user

    check(NOW + 2 * timing.repeat)
    check(NOW + 3 * timing.repeat)
    assert Notification.objects.filter(source=alert.source_ref, kind="waste.repeat").count() == 2  # stopped

    check(NOW + timing.escalate_after)
    alert.refresh_from_db()
    assert alert.is_alarm and alert.work_order is not None
    order = WorkOrder.objects.get(source_ref=alert.source_ref)
    assert (order.source, order.enterprise_id, order.township_id) == ("alert", w.producer.pk, w.producer.township_id)
    assert [t for t in told(alert) if t[0] == "waste.alarm"] == in_order([("waste.alarm", *producer),
                                                                        ("waste.alarm", *officer)])

    close = f"/waste/warnings/{alert.pk}/close/"
    elsewhere = f.user(Role.TOWNSHIP, township=f.township("石门镇"))
    with clock.frozen(NOW + dt.timedelta(minutes=40)):
        assert logged_in(elsewhere).post(close, {"reason": "已整改"}).status_code == 404
        assert logged_in(w.producer_user).post(close, {"reason": "已整改"}).status_code == 403  # nor its own
        alert.refresh_from_db()
        assert alert.state == WasteAlertState.ACKNOWLEDGED
        assert logged_in(w.officer).post(close, {"reason": "企业已补传轨迹，热电厂已接收"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == WasteAlertState.CLOSED and alert.closed_by == w.officer
    check(NOW + dt.timedelta(minutes=45))
    assert WasteAlert.objects.count() == 1  # the same fact is not raised again
