"""Use cases of people on a warning: the enterprise acknowledges it, staff close it.

``alert_can_acknowledge`` and ``alert_can_close`` are the one statement of who may; the pages, the
API and these services all ask them."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.jurisdiction import can_access_enterprise
from enterprises.models import Role
from notifications.services import notify_many

from ..messages import message
from ..models import Alert, AlertEvent, AlertState

Event = AlertEvent.Kind
ACKNOWLEDGEABLE = (AlertState.OPENED, AlertState.NOTIFIED)


def alert_can_acknowledge(user, alert: Alert, *, any_state: bool = False) -> bool:
    """Only the enterprise's own accounts acknowledge its warnings, and only while open and unacknowledged
    (``any_state`` asks about the account alone)."""
    own = user.is_authenticated and user.role == Role.ENTERPRISE and user.enterprise_id == alert.enterprise_id
    return own and (any_state or alert.state in ACKNOWLEDGEABLE)


def alert_can_close(user, alert: Alert) -> bool:
    """Staff with jurisdiction over the enterprise close its warnings."""
    return bool(user.is_authenticated and user.role != Role.ENTERPRISE and can_access_enterprise(user, alert.enterprise))


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    """The enterprise has seen the warning: stop the re-notifications (not the escalation clock)."""
    if not alert_can_acknowledge(user, alert, any_state=True):
        raise PermissionDenied(_("Only the enterprise's own accounts acknowledge its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state not in ACKNOWLEDGEABLE:
            raise ValidationError(_("Only an open, unacknowledged warning can be acknowledged."))
        alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED, now, user
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        AlertEvent.objects.create(alert=alert, kind=Event.ACKNOWLEDGED, at=now, actor=user)
    return alert


def alert_close(*, alert: Alert, user, reason: str) -> Alert:
    """Staff close a warning with a reason (e.g. a false alarm); the enterprise is told once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is needed to close a warning."))
    if not alert_can_close(user, alert):
        raise PermissionDenied(_("Only staff with jurisdiction over the enterprise close its warnings."))
    now = clock.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update(of=("self",)).select_related("outlet", "enterprise", "pollutant") \
            .get(pk=alert.pk)
        if not alert.is_open:
            raise ValidationError(_("This warning is no longer open."))
        alert.state, alert.resolved_at, alert.closed_by, alert.close_reason = AlertState.CLOSED, now, user, reason
        alert.resolved_message_sent = bool(notify_many(
            [message(alert, "closed", "resolved", reason=reason)]))
        alert.save(update_fields=["state", "resolved_at", "closed_by", "close_reason", "resolved_message_sent"])
        AlertEvent.objects.create(alert=alert, kind=Event.CLOSED, at=now, actor=user, note=reason)
    return alert
