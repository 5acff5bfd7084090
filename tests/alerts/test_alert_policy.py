"""The lifecycle timing rules, without a database."""
from datetime import datetime, timedelta, timezone

from alerts.policy import escalation_due, renotify_due, resolve_due, silence_problem

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def test_renotify_every_repeat_with_tick_slack():
    kw = dict(acknowledged=False, muted=False, repeat=5 * MIN)
    assert renotify_due(last_notified_at=None, now=T0, **kw)
    assert not renotify_due(last_notified_at=T0, now=T0 + 4 * MIN, **kw)
    assert renotify_due(last_notified_at=T0, now=T0 + 5 * MIN - timedelta(seconds=2), **kw)
    assert renotify_due(last_notified_at=T0, now=T0 + 5 * MIN, **kw)


def test_acknowledged_or_muted_alert_is_not_nagged():
    assert not renotify_due(last_notified_at=T0, acknowledged=True, muted=False, now=T0 + 60 * MIN, repeat=5 * MIN)
    assert not renotify_due(last_notified_at=T0, acknowledged=False, muted=True, now=T0 + 60 * MIN, repeat=5 * MIN)


def test_escalation_after_30_minutes_of_a_firing_condition():
    kw = dict(muted_until=None, is_alarm=False, firing=True, muted=False, escalate_after=30 * MIN)
    assert not escalation_due(opened_at=T0, now=T0 + 25 * MIN, **kw)
    assert escalation_due(opened_at=T0, now=T0 + 30 * MIN, **kw)
    assert not escalation_due(opened_at=T0, now=T0 + 30 * MIN, **{**kw, "is_alarm": True})
    assert not escalation_due(opened_at=T0, now=T0 + 30 * MIN, **{**kw, "firing": False})
    assert not escalation_due(opened_at=T0, now=T0 + 30 * MIN, **{**kw, "muted": True})


def test_escalation_clock_restarts_at_the_end_of_a_maintenance_window():
    kw = dict(is_alarm=False, firing=True, muted=False, escalate_after=30 * MIN)
    end = T0 + 120 * MIN
    assert not escalation_due(opened_at=T0, muted_until=end, now=end + 10 * MIN, **kw)
    assert escalation_due(opened_at=T0, muted_until=end, now=end + 30 * MIN, **kw)


def test_resolve_only_after_the_hold():
    assert not resolve_due(clear_since=None, now=T0, hold=60 * MIN)
    assert not resolve_due(clear_since=T0, now=T0 + 30 * MIN, hold=60 * MIN)
    assert resolve_due(clear_since=T0, now=T0 + 60 * MIN, hold=60 * MIN)
    assert resolve_due(clear_since=T0, now=T0, hold=timedelta(0))


def test_silence_bounds():
    longest = timedelta(hours=72)
    assert silence_problem(starts_at=T0, ends_at=T0 + 2 * 60 * MIN, now=T0, longest=longest) == ""
    assert silence_problem(starts_at=T0, ends_at=T0, now=T0, longest=longest)
    assert silence_problem(starts_at=T0, ends_at=T0 + timedelta(hours=73), now=T0, longest=longest)
    assert silence_problem(starts_at=T0 - timedelta(days=2), ends_at=T0 + MIN, now=T0, longest=longest)
