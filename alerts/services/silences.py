"""Maintenance windows (``Silence``): an enterprise or county staff declares one for an outlet, or ends
it early. A window mutes notifications and the escalation clock, never the recording."""
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.models import Outlet

from .. import policy
from ..models import AlertEvent, AlertSettings, Silence
from ..selectors import silenceable_outlets

Event = AlertEvent.Kind


def _may_declare(user, outlet: Outlet) -> bool:
    return silenceable_outlets(user).filter(pk=outlet.pk).exists()


def silence_declare(*, outlet: Outlet, user, starts_at: datetime, ends_at: datetime, reason: str) -> Silence:
    """An enterprise (or county staff) declares a maintenance window for an outlet."""
    if not _may_declare(user, outlet):
        raise PermissionDenied(_("You may not declare a maintenance window for this outlet."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A maintenance window needs a reason.")})
    now = clock.now()
    cfg = AlertSettings.current()
    problem = policy.silence_problem(starts_at=starts_at, ends_at=ends_at, now=now, longest=cfg.max_silence)
    if problem:
        raise ValidationError(_g(problem) % {"hours": cfg.max_silence_hours})
    with transaction.atomic():
        silence = Silence.objects.create(outlet=outlet, enterprise_id=outlet.enterprise_id, starts_at=starts_at,
                                         ends_at=ends_at, reason=reason, created_by=user, created_at=now)
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_DECLARED, at=now, actor=user,
                                  note=f"{starts_at.isoformat()} – {ends_at.isoformat()}: {reason}")
    return silence


def silence_cancel(*, silence: Silence, user) -> Silence:
    """End a maintenance window early."""
    if not _may_declare(user, silence.outlet):
        raise PermissionDenied(_("You may not cancel this maintenance window."))
    now = clock.now()
    with transaction.atomic():
        silence = Silence.objects.select_for_update().get(pk=silence.pk)
        if silence.cancelled_at is not None or silence.ends_at <= now:
            raise ValidationError(_("This maintenance window is already over."))
        silence.cancelled_at, silence.cancelled_by = now, user
        silence.save(update_fields=["cancelled_at", "cancelled_by"])
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_CANCELLED, at=now, actor=user)
    return silence
