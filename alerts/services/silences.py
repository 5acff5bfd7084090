"""Maintenance windows (``Silence``): an enterprise or county staff declares one for an outlet, or ends
it early. A window mutes notifications and the escalation clock, never the recording. An enterprise's
window longer than the settings' ``self_approved_silence_minutes`` awaits the township or the bureau
(``silence_decide``) and mutes nothing until approved; every request and decision is audited.

Windows of one outlet that overlap or follow each other with less than the self-approval length between
them count as one maintenance period (``_chain``): short windows chained back to back need approval once
together they are longer than the threshold, and together they may not exceed ``max_silence_hours``."""
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.jurisdiction import is_bureau
from enterprises.models import Outlet, Role

from .. import policy
from ..models import AlertEvent, AlertSettings, Silence
from ..selectors import silenceable_outlets

Event = AlertEvent.Kind


def _may_declare(user, outlet: Outlet) -> bool:
    return silenceable_outlets(user).filter(pk=outlet.pk).exists()


def _chain(*, outlet: Outlet, starts_at: datetime, ends_at: datetime, gap: timedelta,
           longest: timedelta) -> tuple[datetime, datetime]:
    """The start and end of the maintenance period a new window would belong to: the union of the outlet's
    approved or requested windows (their cancelled part cut off) reachable from it with gaps under ``gap``.
    Windows farther than ``longest + gap`` away are not read: reaching them makes the period too long anyway."""
    reach = longest + gap
    windows = [
        (s.starts_at, min(s.ends_at, s.cancelled_at) if s.cancelled_at else s.ends_at)
        for s in Silence.objects.filter(outlet=outlet, ends_at__gt=starts_at - reach, starts_at__lt=ends_at + reach,
                                        status__in=[Silence.Status.APPROVED, Silence.Status.REQUESTED])]
    first, last = starts_at, ends_at
    grew = True
    while grew:  # a window may join the period only through another one: repeat until nothing joins
        grew = False
        for start, end in windows:
            if end > start and start < last + gap and end > first - gap and (start < first or end > last):
                first, last, grew = min(first, start), max(last, end), True
    return first, last


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
    threshold = timedelta(minutes=cfg.self_approved_silence_minutes)
    with transaction.atomic():
        Outlet.objects.select_for_update().filter(pk=outlet.pk).first()  # one declaration per outlet at a time
        first, last = _chain(outlet=outlet, starts_at=starts_at, ends_at=ends_at, gap=threshold,
                             longest=cfg.max_silence)
        if last - first > cfg.max_silence:
            raise ValidationError(_g(policy.CHAINED_SILENCE_TOO_LONG) % {"hours": cfg.max_silence_hours})
        needs_approval = user.role == Role.ENTERPRISE and last - first > threshold
        status = Silence.Status.REQUESTED if needs_approval else Silence.Status.APPROVED
        silence = Silence.objects.create(outlet=outlet, enterprise_id=outlet.enterprise_id, starts_at=starts_at,
                                         ends_at=ends_at, reason=reason, created_by=user, created_at=now,
                                         status=status)
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_DECLARED, at=now, actor=user,
                                  note=f"{starts_at.isoformat()} – {ends_at.isoformat()}: {reason}")
    return silence


def silence_may_decide(user, silence: Silence) -> bool:
    """The township officers of the enterprise's township and the bureau approve maintenance windows."""
    if is_bureau(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.TOWNSHIP
                and user.township_id == silence.enterprise.township_id)


def silence_decide(*, silence: Silence, user, approve: bool, note: str = "") -> Silence:
    """Approve or reject a requested maintenance window (audited); only an approved one mutes."""
    if not silence_may_decide(user, silence):
        raise PermissionDenied(_("Only the township or the bureau approves maintenance windows."))
    now = clock.now()
    with transaction.atomic():
        silence = Silence.objects.select_for_update().get(pk=silence.pk)
        if silence.status != Silence.Status.REQUESTED:
            raise ValidationError(_("This maintenance window is not awaiting approval."))
        silence.status = Silence.Status.APPROVED if approve else Silence.Status.REJECTED
        silence.decided_by, silence.decided_at, silence.decision_note = user, now, (note or "").strip()
        silence.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        AlertEvent.objects.create(silence=silence, kind=Event.SILENCE_APPROVED if approve else Event.SILENCE_REJECTED,
                                  at=now, actor=user, note=silence.decision_note)
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
