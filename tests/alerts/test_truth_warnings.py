"""The warning chain from packets: data loggers send HJ 212 frames into ingestion at the time they would
arrive (the clock frozen there), and the 5-minute cycle runs at its own times. Limits are judged on the
permit's averaging period, early; violations of completed periods are recorded apart."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from alerts.models import Alert, Exceedance, Rule
from alerts.services import evaluate, silence_declare
from core import clock
from enterprises.models import Role
from monitoring import hj212
from monitoring.services import ingest
from notifications.models import Notification
from tests import factories as f
from tests.alerts.alert_support import site
from tests.ecocode.helpers import ind, points
from tests.monitoring.ingest_support import TZ, frames

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 2, tzinfo=TZ)
MIN = dt.timedelta(minutes=1)
TEN = dt.timedelta(minutes=10)
HOUR = dt.timedelta(hours=1)


def send(device, data_time, items, *, cn="2051", arrive=None):
    """One upload of ``device`` with DataTime ``data_time``, received at ``arrive`` (default: the end of
    its 10-minute window, an hour later for hourly data)."""
    arrive = arrive or data_time + (HOUR + 2 * MIN if cn == "2061" else TEN)
    raw = hj212.build_frame(hj212.data_segment(cn=cn, mn=device.mn, pw=device.password, flag=5,
                                               qn=f"{data_time:%Y%m%d%H%M%S}000",
                                               cp=hj212.data_cp(data_time, items)))
    with clock.frozen(arrive):
        [outcome] = ingest.ingest_frames(frames(raw), source="logger")
    assert outcome.accepted and hj212.parse_packet(hj212.FrameReader().feed(outcome.reply())[0].data).cn == "9014"
    return outcome


def cycle(at):
    with clock.frozen(at):
        return evaluate(at)


def normal(n, level=30.0):
    """``n`` ordinary values around ``level`` (an analyser's own scatter; a constant would be a flat line)."""
    return [level + (k % 5) - 2 for k in range(n)]


def minute_series(device, start, values, code="w01018", cycles=True):
    """10-minute data from ``start``, each received at the end of its window; with ``cycles`` the
    5-minute evaluation runs after each arrival and between (as beat would)."""
    for k, value in enumerate(values):
        data_time = start + TEN * k
        send(device, data_time, {code: {"Avg": value, "Flag": "N"}})
        if cycles:
            cycle(data_time + TEN)
            cycle(data_time + TEN + 5 * MIN)


def test_an_hourly_only_logger_over_its_hourly_limit():
    out, device = site(period="hour")
    for h, value in ((8, 60.0), (9, 70.0)):
        send(device, DAY + h * HOUR, {"w01018": {"Avg": value}}, cn="2061")
        cycle(DAY + (h + 1) * HOUR + 5 * MIN)
    cycle(DAY + 10 * HOUR + 58 * MIN)  # 56 minutes without a packet: an hourly logger is not missing
    assert not Alert.objects.exists()
    send(device, DAY + 10 * HOUR, {"w01018": {"Avg": 150.0}}, cn="2061")
    cycle(DAY + 11 * HOUR + 5 * MIN)
    alert = Alert.objects.get()
    assert (alert.rule, alert.value, alert.limit_value, alert.evidence["averaging_period"]) == \
        (Rule.EXCEEDANCE, 150.0, 100.0, "hour")
    note = Notification.objects.get(kind="alert.opened")
    assert "小时均值 150 mg/L（限值 100 mg/L）" in note.subject
    violation = Exceedance.objects.get()
    assert (violation.start, violation.value, violation.averaging_period, violation.built_from, violation.alert) == \
        (DAY + 10 * HOUR, 150.0, "hour", "hour", alert)


def test_a_daily_limit_outlet_with_one_spike_has_no_exceedance_and_no_early_warning():
    out, device = site(period="day")
    values = normal(144)
    values[14 * 6] = 140.0  # one 10-minute spike at 14:00
    minute_series(device, DAY, values[:14 * 6], cycles=False)
    minute_series(device, DAY + 14 * HOUR, values[14 * 6:14 * 6 + 12])  # every cycle around the spike
    minute_series(device, DAY + 16 * HOUR, values[16 * 6:], cycles=False)
    cycle(DAY + 24 * HOUR + 5 * MIN)
    assert not Alert.objects.filter(rule__in=[Rule.EXCEEDANCE, Rule.NEAR_LIMIT]).exists()
    assert not Exceedance.objects.exists()


def test_a_daily_limit_on_course_to_be_exceeded_is_warned_early_and_recorded_when_the_day_is_over():
    out, device = site(period="day")
    minute_series(device, DAY, normal(14 * 6), cycles=False)
    first_bad = DAY + 14 * HOUR
    send(device, first_bad, {"w01018": {"Avg": 400.0}})  # received at 14:10
    cycle(first_bad + TEN)
    alert = Alert.objects.get(rule=Rule.EXCEEDANCE)
    assert alert.value < 100 < alert.evidence["projected"]  # the day's average is not over yet, its course is
    assert "按当前趋势本时段均值将达" in Notification.objects.get(kind="alert.opened").subject
    assert not Alert.objects.exclude(rule=Rule.EXCEEDANCE).exists()
    assert not Exceedance.objects.exists()
    minute_series(device, first_bad + TEN, normal(59, 400.0), cycles=False)
    cycle(DAY + 24 * HOUR + 5 * MIN)
    violation = Exceedance.objects.get()
    assert (violation.averaging_period, violation.start) == ("day", DAY)
    assert violation.value == pytest.approx((sum(normal(84)) + 400 + sum(normal(59, 400.0))) / 144)


def test_ph_in_the_middle_of_its_range_raises_nothing():
    out, device = site(ph=True, period="hour")
    for k, (ph, cod) in enumerate(zip(normal(12, 7.2), normal(12, 40.0))):
        send(device, DAY + 9 * HOUR + TEN * k, {"w01001": {"Avg": round(7.2 + (ph - 7.2) / 20, 2)},
                                                "w01018": {"Avg": cod}})
        cycle(DAY + 9 * HOUR + TEN * (k + 1))
    assert not Alert.objects.exists()
    send(device, DAY + 11 * HOUR, {"w01001": {"Avg": 8.6}})  # 8.6 is near 9 (within a fifth of the range)
    cycle(DAY + 11 * HOUR + TEN)
    alert = Alert.objects.get()
    assert (alert.rule, alert.limit_value) == (Rule.NEAR_LIMIT, 9.0)


def test_a_device_connected_yesterday_loses_no_completeness_for_before():
    out, device = site(period="hour")
    out.permit.monitoring_duties.create(outlet=out, pollutant=out.limits.get(pollutant__code="w01018").pollutant,
                                        method="online", frequency="continuous")
    first = DAY - 24 * HOUR
    device.last_seen_at = None
    device.save()
    for h in range(24):
        send(device, first + h * HOUR, {"w01018": {"Avg": 50.0}}, cn="2061")
    device.refresh_from_db()
    assert device.first_seen_at == first + HOUR + 2 * MIN and device.reporting_interval_minutes == 60
    # 24 of the 24 hours since its first packet arrived: nothing lost for the 29 days before
    assert points(out.enterprise, ind("online.completeness", 5, window_days=30, min_ratio=0.9), at=DAY) == [0]
    cycle(DAY + 5 * MIN)
    assert not Alert.objects.filter(rule=Rule.MISSING_DATA).exists()


def test_the_first_warning_comes_within_one_cycle_of_the_first_bad_reading_and_escalates_after_30_minutes():
    out, device = site(period="hour")
    officer = f.user(Role.TOWNSHIP, township=out.enterprise.township)
    minute_series(device, DAY + 9 * HOUR, normal(7, 40.0))   # 09:00 … 10:00, received up to 10:10
    bad_arrives = DAY + 10 * HOUR + 20 * MIN             # the 10:10 value, received 10:20
    send(device, DAY + 10 * HOUR + TEN, {"w01018": {"Avg": 200.0}}, arrive=bad_arrives)
    assert not Alert.objects.exists()
    cycle(bad_arrives)
    alert = Alert.objects.get()
    assert alert.opened_at - bad_arrives <= 5 * MIN and alert.state == "notified"
    assert alert.evidence["averaging_period"] == "hour" and alert.value == 119.5  # (39 + 200) / 2 so far
    at = bad_arrives
    for k in range(1, 7):  # still bad: warned again every 5 minutes, escalated 30 minutes after the first
        at = bad_arrives + 5 * MIN * k
        if k % 2 == 0:
            send(device, DAY + 10 * HOUR + TEN * (1 + k // 2), {"w01018": {"Avg": 180.0}}, arrive=at)
        cycle(at)
        alert.refresh_from_db()
        assert alert.notify_count == k + 1
        assert alert.is_alarm == (k == 6)
    assert alert.escalated_at == bad_arrives + 30 * MIN and alert.work_order is not None
    assert Notification.objects.filter(user=officer, kind="alert.alarm").count() == 1
    # The hour is over: its average is a recorded violation, apart from the warning.
    minute_series(device, DAY + 10 * HOUR + 50 * MIN, [150.0], cycles=False)
    cycle(DAY + 11 * HOUR + 5 * MIN)
    violation = Exceedance.objects.get()
    assert (violation.start, violation.alert_id) == (DAY + 10 * HOUR, alert.pk) and violation.value > 100
    # Back to normal: resolved once, after the hold.
    minute_series(device, DAY + 11 * HOUR, normal(12, 40.0))
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert Notification.objects.filter(kind="alert.resolved", enterprise=out.enterprise).count() == 1


def test_an_instrument_in_calibration_has_no_exceedance():
    flagged_out, flagged = site(period="hour")
    status_out, status = site(period="hour")
    for k in range(6):
        at = DAY + 9 * HOUR + TEN * k
        send(flagged, at, {"w01018": {"Avg": 300.0, "Flag": "C"}})
        send(status, at, {"w01018": {"Avg": 300.0, "Flag": "N"}, "i12001": {"Avg": 3}})
        cycle(at + TEN)
    cycle(DAY + 10 * HOUR + 5 * MIN)
    assert not Alert.objects.filter(rule=Rule.EXCEEDANCE).exists()
    assert not Exceedance.objects.exists()
    flag_alert = Alert.objects.get(outlet=flagged_out)
    status_alert = Alert.objects.get(outlet=status_out)
    assert flag_alert.rule == status_alert.rule == Rule.DEVICE_FLAG
    assert "C" in flag_alert.evidence["flags"] and status_alert.evidence["status_text"] == ["校准"]
    assert "校准" in Notification.objects.get(kind="alert.opened", enterprise=status_out.enterprise).subject


def test_a_stuck_cod_analyser_is_a_flat_line_after_three_of_its_cycles():
    """Faked or stuck data: a COD logger's values stop moving at 02:00. Its analyser measures every two
    hours, so the flat line is warned once six hours of half-hours are flat (08:05), not before."""
    out, device = site()
    minute_series(device, DAY, normal(12), cycles=False)  # 00:00-01:50, the analyser's own scatter
    minute_series(device, DAY + 2 * HOUR, [12.0] * 33, cycles=False)  # stuck from 02:00 up to 07:20
    cycle(DAY + 7 * HOUR + 35 * MIN)  # the window 01:30-07:30 still holds a moving half-hour
    assert not Alert.objects.filter(rule=Rule.FLAT_LINE).exists()
    minute_series(device, DAY + 7 * HOUR + 30 * MIN, [12.0] * 3, cycles=False)  # 07:30-07:50
    cycle(DAY + 8 * HOUR + 5 * MIN)
    alert = Alert.objects.get(rule=Rule.FLAT_LINE)
    assert (alert.outlet, alert.pollutant.code, alert.value, alert.evidence["window_minutes"]) == \
        (out, "w01018", 12.0, 360)
    assert dt.datetime.fromisoformat(alert.evidence["window_start"]) == DAY + 2 * HOUR


def test_a_long_maintenance_window_mutes_only_once_the_township_approves_it(client):
    out, device = site(period="hour")
    owner = f.user(Role.ENTERPRISE, enterprise=out.enterprise)
    officer = f.user(Role.TOWNSHIP, township=out.enterprise.township)
    start = DAY + 9 * HOUR
    with clock.frozen(start):
        short = silence_declare(outlet=out, user=owner, starts_at=start, ends_at=start + HOUR, reason="更换滤芯")
        long = silence_declare(outlet=out, user=owner, starts_at=start + HOUR, ends_at=start + 5 * HOUR,
                               reason="检修COD分析仪")
    assert (short.status, long.status) == ("approved", "requested")
    send(device, start + HOUR, {"w01018": {"Avg": 300.0}})
    cycle(start + HOUR + TEN)
    alert = Alert.objects.get(rule=Rule.EXCEEDANCE)
    assert alert.muted == "" and alert.notify_count == 1  # the requested window mutes nothing
    client.force_login(owner)
    with clock.frozen(start + HOUR + TEN):
        assert client.post(reverse("alerts:silence-decide", args=[long.pk]), {"decision": "approve"}) \
            .status_code == 403
    long.refresh_from_db()
    assert long.status == "requested"  # an enterprise cannot approve its own window
    client.force_login(officer)
    with clock.frozen(start + HOUR + TEN):
        client.post(reverse("alerts:silence-decide", args=[long.pk]), {"decision": "approve"})
        page = client.get(reverse("alerts:alert-detail", args=[alert.pk]))
    long.refresh_from_db()
    assert (long.status, long.decided_by) == ("approved", officer)
    assert "检修COD分析仪" in page.text and "已批准" in page.text
    cycle(start + HOUR + 15 * MIN)
    alert.refresh_from_db()
    assert alert.muted == "silence" and alert.notify_count == 1
    assert list(long.events.values_list("kind", flat=True)) == ["silence_declared", "silence_approved", "muted"]


def test_evaluate_alerts_command_runs_a_cycle_as_of_a_past_time():
    out, device = site(period="hour")
    send(device, DAY + 9 * HOUR, {"w01018": {"Avg": 250.0}})
    buffer = io.StringIO()
    call_command("evaluate_alerts", "--at", "2026-03-02T09:15", stdout=buffer)
    assert "2026-03-02 09:15:00: 1 opened" in buffer.getvalue()
    assert Alert.objects.get().opened_at == DAY + 9 * HOUR + 15 * MIN
    with pytest.raises(CommandError, match="not an ISO 8601 time"):
        call_command("evaluate_alerts", "--at", "yesterday")
