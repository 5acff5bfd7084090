"""Report periods: a period is a range of local dates, inclusive; queries use the aware instants
[start 00:00, day after end 00:00) in the platform's time zone."""
import datetime as dt

from django.utils import timezone


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return since, until


def parse_period(start: str, end: str) -> tuple[dt.date, dt.date] | None:
    """Two ISO dates, start not after end and at most three years apart; None if not."""
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except (TypeError, ValueError):
        return None
    if last < first or (last - first).days > 3 * 366:
        return None
    return first, last
