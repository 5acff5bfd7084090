"""The lifecycle with a controlled clock: 5-minute nagging, 30-minute escalation, acknowledgement,
exactly-once resolution, flap damping, inhibition, maintenance windows and closing by staff."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts import services
from alerts.models import Alert, AlertEvent, Rule
from core import clock
from dispatch.models import WorkOrder
from enterprises.models import Role
from monitoring.models import Device
from notifications.models import Notification
from tests import factories as f

from .alert_support import HALF, MIN, T0, flagged, half_hour, site, window_start

pytestmark = pytest.mark.django_db


def every_5_minutes(out, minutes, avg=130.0, code="w01018", start=T0, on_tick=None):
    """Run the evaluation every 5 minutes for ``minutes``, keeping the half-hour average at ``avg``."""
    for m in range(0, minutes + 1, 5):
        at = start + m * MIN
        half_hour(out, code, window_start(at), avg(m) if callable(avg) else avg)
        Device.objects.filter(outlet=out).update(last_seen_at=at)
        if on_tick:
            on_tick(at)
        with clock.frozen(at):
            services.evaluate()


def notes(kind):
    return Notification.objects.filter(kind=kind).count()


def test_renotified_every_5_minutes_until_acknowledged():
    out, _ = site()
    every_5_minutes(out, 20)
    alert = Alert.objects.get()
    assert alert.notify_count == 5 and notes("alert.opened") == 1 and notes("alert.repeat") == 4
    times = list(alert.events.filter(kind__in=["notified", "renotified"]).values_list("at", flat=True))
    assert [int((t - T0).total_seconds() // 60) for t in times] == [0, 5, 10, 15, 20]


def test_evaluation_between_ticks_does_not_nag_early():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), 130.0)
    for minutes in (0, 2, 4):
        with clock.frozen(T0 + minutes * MIN):
            services.evaluate()
    assert Alert.objects.get().notify_count == 1


def test_escalates_after_30_minutes_with_one_work_order():
    out, _ = site()
    every_5_minutes(out, 25)
    alert = Alert.objects.get()
    assert not alert.is_alarm and not WorkOrder.objects.exists()
    every_5_minutes(out, 20, start=T0 + 30 * MIN)
    alert.refresh_from_db()
    assert alert.is_alarm and alert.escalated_at == T0 + 30 * MIN
    order = WorkOrder.objects.get()
    assert (order.source, order.source_ref, order.enterprise) == ("alert", f"alert:{alert.pk}", out.enterprise)
    assert order.evidence["value"] == 130.0 and alert.work_order == order
    assert notes("alert.alarm") == 1


def test_acknowledgement_stops_nagging_but_not_escalation():
    out, _ = site()
    account = f.user(Role.ENTERPRISE, enterprise=out.enterprise)

    def acknowledge_at_7(at):
        if at == T0 + 10 * MIN:
            with clock.frozen(T0 + 7 * MIN):
                services.alert_acknowledge(alert=Alert.objects.get(), user=account)

    every_5_minutes(out, 35, on_tick=acknowledge_at_7)
    alert = Alert.objects.get()
    assert alert.state == "acknowledged" and alert.acknowledged_by == account
    assert alert.notify_count == 2  # at 0 and 5, none after the acknowledgement at 7
    assert alert.is_alarm and WorkOrder.objects.count() == 1


def test_only_the_enterprise_acknowledges():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), 130.0)
    with clock.frozen(T0):
        services.evaluate()
    other = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(alert=Alert.objects.get(), user=other)
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(alert=Alert.objects.get(), user=f.bureau_user())


def test_resolved_message_exactly_once_after_the_hold():
    out, _ = site()
    every_5_minutes(out, 10)
    every_5_minutes(out, 90, avg=lambda m: 40.0 + m / 10, start=T0 + 15 * MIN)  # clear from 10:20 on
    alert = Alert.objects.get()
    assert alert.state == "resolved" and alert.resolved_message_sent
    cleared = alert.events.get(kind="cleared").at
    assert alert.resolved_at == cleared + 60 * MIN
    assert notes("alert.resolved") == 1
    with clock.frozen(T0 + 200 * MIN):
        services.evaluate()
        services.evaluate()
    assert notes("alert.resolved") == 1


def test_flapping_value_keeps_one_warning():
    out, _ = site()
    pattern = [130.0, 40.0, 130.0, 40.0, 130.0]  # over, under, over, under, over by half-hour
    for i, avg in enumerate(pattern):
        every_5_minutes(out, 25, avg=avg, start=T0 + i * HALF)
    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.state != "resolved" and alert.recurrences == 2
    assert notes("alert.resolved") == 0 and notes("alert.opened") == 1


def test_no_data_does_not_resolve_an_exceedance():
    out, _ = site()
    every_5_minutes(out, 5)
    for m in range(10, 130, 5):  # no aggregates any more (the device still answers)
        Device.objects.filter(outlet=out).update(last_seen_at=T0 + m * MIN)
        with clock.frozen(T0 + m * MIN):
            services.evaluate()
    assert Alert.objects.get(rule=Rule.EXCEEDANCE).state != "resolved"


def test_device_fault_inhibits_exceedance_of_the_pollutant_it_flags_only():
    out, device = site()
    half_hour(out, "w21003", window_start(T0), 40.0)  # NH3-N over its limit of 15, valid data
    flagged(device, "w21003", T0 - 10 * MIN, "D")  # and one value of its analyser flagged faulty
    with clock.frozen(T0):
        services.evaluate()
    assert list(Alert.objects.values_list("rule", flat=True)) == [Rule.DEVICE_FLAG]
    assert notes("alert.opened") == 1
    half_hour(out, "w01018", window_start(T0), 130.0)  # COD over its limit: its analyser flagged nothing
    with clock.frozen(T0 + 5 * MIN):
        services.evaluate()
    assert Alert.objects.get(rule=Rule.EXCEEDANCE).pollutant.code == "w01018"


def test_open_exceedance_is_muted_while_the_device_is_faulty():
    out, device = site()
    every_5_minutes(out, 5)
    flagged(device, "w01018", T0 + 8 * MIN, "D")
    every_5_minutes(out, 20, start=T0 + 10 * MIN)
    exceedance = Alert.objects.get(rule=Rule.EXCEEDANCE)
    assert exceedance.muted == "inhibited" and exceedance.notify_count == 2 and not exceedance.is_alarm
    assert Alert.objects.get(rule=Rule.DEVICE_FLAG).is_alarm is False


def test_maintenance_window_mutes_notifications_not_recording():
    out, _ = site()
    account = f.user(Role.ENTERPRISE, enterprise=out.enterprise)
    with clock.frozen(T0 - 10 * MIN):
        silence = services.silence_declare(outlet=out, user=account, starts_at=T0 - 10 * MIN, ends_at=T0 + 60 * MIN,
                                           reason="更换分析仪")
    every_5_minutes(out, 55)
    alert = Alert.objects.get()
    assert alert.muted == "silence" and alert.notify_count == 0 and not alert.is_alarm
    assert not Notification.objects.filter(source=alert.source_ref).exists()
    assert alert.events.filter(kind="muted", silence=silence).count() == 1
    every_5_minutes(out, 30, start=T0 + 60 * MIN)  # window over: notified now, escalation 30 min later
    alert.refresh_from_db()
    assert alert.muted == "" and alert.notify_count >= 1 and alert.escalated_at == T0 + 90 * MIN
    assert AlertEvent.objects.filter(silence=silence, kind="silence_declared", actor=account).exists()


def test_maintenance_window_bounds_and_rights():
    out, _ = site()
    account = f.user(Role.ENTERPRISE, enterprise=out.enterprise)
    stranger = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    with clock.frozen(T0):
        with pytest.raises(ValidationError):
            services.silence_declare(outlet=out, user=account, starts_at=T0, ends_at=T0 + 73 * 60 * MIN, reason="x")
        with pytest.raises(ValidationError):
            services.silence_declare(outlet=out, user=account, starts_at=T0, ends_at=T0 + 60 * MIN, reason=" ")
        with pytest.raises(PermissionDenied):
            services.silence_declare(outlet=out, user=stranger, starts_at=T0, ends_at=T0 + 60 * MIN, reason="x")


def test_staff_close_with_a_reason_tells_the_enterprise_once():
    out, _ = site()
    every_5_minutes(out, 5)
    alert = Alert.objects.get()
    officer = f.user(Role.TOWNSHIP, township=out.enterprise.township)
    with pytest.raises(ValidationError):
        services.alert_close(alert=alert, user=officer, reason="")
    with pytest.raises(PermissionDenied):
        services.alert_close(alert=alert, user=f.user(Role.TOWNSHIP, township=f.township()), reason="误报")
    with clock.frozen(T0 + 7 * MIN):
        services.alert_close(alert=alert, user=officer, reason="仪表校准误报")
    alert.refresh_from_db()
    assert alert.state == "closed" and alert.close_reason == "仪表校准误报" and notes("alert.closed") == 1
    with pytest.raises(ValidationError):
        services.alert_close(alert=alert, user=officer, reason="again")
    assert notes("alert.closed") == 1
