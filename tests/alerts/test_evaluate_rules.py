"""Each warning rule opens exactly one warning, and repeated evidence updates it."""
import pytest

from alerts.models import Alert, AlertSettings, Rule
from alerts.services import evaluate
from core import clock
from notifications.models import Notification

from .alert_support import HALF, MIN, T0, flagged, half_hour, seen, site, window_start

pytestmark = pytest.mark.django_db


def run(at):
    with clock.frozen(at):
        return evaluate()


def test_exceedance_opens_one_warning_and_repeated_evidence_updates_it():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), 130.0)
    half_hour(out, "w21003", window_start(T0), 3.0)
    result = run(T0)
    assert result.opened == 1
    alert = Alert.objects.get()
    assert (alert.rule, alert.pollutant.code, alert.value, alert.limit_value) == (Rule.EXCEEDANCE, "w01018", 130, 100)
    assert alert.state == "notified" and alert.notify_count == 1
    half_hour(out, "w01018", window_start(T0), 150.0)
    run(T0 + 2 * MIN)
    half_hour(out, "w01018", window_start(T0 + HALF), 140.0)
    run(T0 + HALF)
    alert = Alert.objects.get()
    assert (alert.value, alert.peak_value, alert.last_seen_at) == (140.0, 150.0, T0 + HALF)
    assert Notification.objects.filter(kind="alert.opened", enterprise=out.enterprise).count() == 1


def test_near_limit_opens_one_early_warning_and_no_exceedance():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), 85.0)
    run(T0)
    run(T0 + 5 * MIN)
    assert list(Alert.objects.values_list("rule", flat=True)) == [Rule.NEAR_LIMIT]


def test_below_80_percent_opens_nothing_and_the_share_is_configurable():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), 75.0)
    run(T0)
    assert not Alert.objects.exists()
    AlertSettings.objects.update_or_create(pk=1, defaults={"near_limit_share": "0.7"})
    run(T0 + 5 * MIN)
    assert Alert.objects.get().rule == Rule.NEAR_LIMIT


def test_ph_below_its_lower_limit_is_an_exceedance():
    out, _ = site(ph=True)
    half_hour(out, "w01001", window_start(T0), 4.5)
    run(T0)
    alert = Alert.objects.get()
    assert (alert.rule, alert.value, alert.limit_value) == (Rule.EXCEEDANCE, 4.5, 6.0)


def test_invalid_only_half_hour_is_not_compared_with_the_limit():
    out, _ = site()
    half_hour(out, "w01018", window_start(T0), None, count=30, valid=0)
    run(T0)
    assert not Alert.objects.filter(rule__in=[Rule.EXCEEDANCE, Rule.NEAR_LIMIT]).exists()


def test_missing_data_opens_one_warning_per_outlet():
    out, device = site()
    quiet, _ = site()
    seen(device, T0 - 61 * MIN)
    run(T0)
    run(T0 + 5 * MIN)
    alert = Alert.objects.get()
    assert (alert.rule, alert.outlet, alert.pollutant) == (Rule.MISSING_DATA, out, None)
    assert quiet.alerts.count() == 0


def test_missing_data_only_for_online_outlets_with_an_active_device():
    out, device = site()
    seen(device, None)
    out.online_monitored = False
    out.save()
    other, other_device = site()
    other_device.is_active = False
    other_device.save()
    seen(other_device, None)
    run(T0)
    assert not Alert.objects.exists()


def test_flat_line_opens_one_warning():
    """A COD analyser measures every 2 hours at most: its flat line is three cycles (6 hours) long."""
    out, _ = site()
    for i in range(1, 13):
        half_hour(out, "w01018", window_start(T0) - (i - 1) * HALF, 12.0)
        half_hour(out, "w21003", window_start(T0) - (i - 1) * HALF, 2.0 + i)
    run(T0)
    run(T0 + 5 * MIN)
    alert = Alert.objects.get()
    assert (alert.rule, alert.pollutant.code, alert.evidence["window_minutes"]) == (Rule.FLAT_LINE, "w01018", 360)


def test_a_slow_analyser_repeating_its_value_within_its_cycles_is_no_flat_line():
    out, device = site()
    for i in range(1, 5):  # 2 hours of the same COD value: one measuring cycle repeated
        half_hour(out, "w01018", window_start(T0) - (i - 1) * HALF, 12.0)
    run(T0)
    assert not Alert.objects.exists()
    device.measuring_cycle_minutes = 30  # this analyser measures every half hour: 2 hours are 4 cycles
    device.save()
    run(T0 + 5 * MIN)
    assert Alert.objects.get().evidence["window_minutes"] == 120


def test_flat_line_needs_the_whole_window():
    out, _ = site()
    for i in range(1, 4):  # 3 of the 4 half-hours
        half_hour(out, "w01018", window_start(T0) - (i - 1) * HALF, 0.0)
    run(T0)
    assert not Alert.objects.exists()


def test_device_flag_opens_one_warning_per_outlet_with_the_flags():
    out, device = site()
    flagged(device, "w01018", T0 - 20 * MIN, "D")
    flagged(device, "w21003", T0 - 19 * MIN, "D")
    flagged(device, "w21003", T0 - 2 * MIN, "M")
    run(T0)
    run(T0 + 5 * MIN)
    alert = Alert.objects.get()
    assert alert.rule == Rule.DEVICE_FLAG and alert.pollutant is None
    assert alert.evidence["flags"] == {"D": {"w01018": 1, "w21003": 1}, "M": {"w21003": 1}}


def test_each_rule_for_a_county_at_once():
    rows = {}
    for rule in Rule.values:
        rows[rule] = site()
    half_hour(rows[Rule.EXCEEDANCE][0], "w01018", window_start(T0), 101.0)
    half_hour(rows[Rule.NEAR_LIMIT][0], "w21003", window_start(T0), 14.0)
    seen(rows[Rule.MISSING_DATA][1], T0 - 3 * 60 * MIN)
    for i in range(12):  # three measuring cycles of an ammonia analyser
        half_hour(rows[Rule.FLAT_LINE][0], "w21003", window_start(T0) - i * HALF, 0.0)
    flagged(rows[Rule.DEVICE_FLAG][1], "w01018", T0 - MIN, "F")
    result = run(T0)
    assert result.opened == 5
    for rule, (out, _) in rows.items():
        assert list(out.alerts.values_list("rule", flat=True)) == [rule]
