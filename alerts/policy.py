"""The timing rules of a warning's lifecycle, as plain functions of times and settings (no database).

Beat runs the evaluation every 5 minutes, never exactly on the second, so every due time is checked
with a small slack: a re-notification due at 10:05:00 is sent by the run that starts at 10:04:58
instead of waiting for 10:10 (Alertmanager rounds its repeat_interval up to the next tick; we round
to the nearest one).
"""
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

TICK_SLACK = timedelta(seconds=30)


def renotify_due(*, last_notified_at: datetime | None, acknowledged: bool, muted: bool, now: datetime,
                 repeat: timedelta) -> bool:
    """Nag again? Only while unacknowledged and not muted, once per ``repeat``."""
    if acknowledged or muted:
        return False
    return last_notified_at is None or now >= last_notified_at + repeat - TICK_SLACK


def escalation_due(*, opened_at: datetime, muted_until: datetime | None, is_alarm: bool, firing: bool,
                   muted: bool, now: datetime, escalate_after: timedelta) -> bool:
    """Escalate to an alarm? When the condition still holds ``escalate_after`` after the warning opened.

    Acknowledging does not stop this clock. A maintenance window stops it while it lasts and restarts
    it at the window's end, so a warning recorded during maintenance gets the full time afterwards.
    """
    if is_alarm or muted or not firing:
        return False
    start = max(opened_at, muted_until) if muted_until else opened_at
    return now >= start + escalate_after - TICK_SLACK


def resolve_due(*, clear_since: datetime | None, now: datetime, hold: timedelta) -> bool:
    """Resolve? Only once the condition has stayed clear for ``hold`` (flap damping)."""
    return clear_since is not None and now >= clear_since + hold - TICK_SLACK


# Windows that overlap or follow each other closely form one maintenance period (alerts.services.silences).
CHAINED_SILENCE_TOO_LONG = gettext_noop(
    "Together with the adjoining maintenance windows of this outlet this one would last more than %(hours)d hours.")


def silence_problem(*, starts_at: datetime, ends_at: datetime, now: datetime, longest: timedelta) -> str:
    """Why a maintenance window cannot be declared (an untranslated message), or "" when it can."""
    if ends_at <= starts_at:
        return gettext_noop("A maintenance window must end after it starts.")
    if ends_at - starts_at > longest:
        return gettext_noop("A maintenance window may last at most %(hours)d hours.")
    if ends_at <= now:
        return gettext_noop("A maintenance window cannot end in the past.")
    if starts_at < now - TICK_SLACK * 10:
        return gettext_noop("A maintenance window cannot start in the past.")
    return ""
