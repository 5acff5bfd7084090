"""Housekeeping of django-axes: its login records (successful logins, failed attempts, failure logs)
are kept ``AXES_LOG_RETENTION_DAYS`` and then deleted, so a password-guessing flood does not stay in the
database for ever. A failure counter still inside its cool-off is never deleted: that would lift a lockout."""
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings

from .. import clock


def access_logs_purge(*, now=None) -> int:
    """Delete axes records older than the retention; returns how many."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.AXES_LOG_RETENTION_DAYS)
    counting = now - settings.AXES_COOLOFF_TIME  # attempts after this still count towards a lockout
    deleted = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessAttempt.objects.filter(attempt_time__lt=min(cutoff, counting)).delete()[0]
    return deleted
