"""Steward health checks (一企一策): record a check with its remedy plan, mark remedy items done.

Staff record checks for enterprises of their jurisdiction; an enterprise account records the check
its steward (环保管家) did, naming the steward. Items are done by the enterprise or by staff.
"""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from enterprises import jurisdiction

from .. import access
from ..models import HealthCheck, RemedyItem
from .errors import OutreachError


def _may_record(user, enterprise) -> bool:
    return (access.is_staff(user) or access.is_enterprise(user)) and \
        jurisdiction.can_access_enterprise(user, enterprise)


@transaction.atomic
def health_check_record(*, user, enterprise, checked_on: dt.date, summary: str, steward: str = "",
                        items: list[dict]) -> HealthCheck:
    """``items``: [{"risk", "measure", "deadline" (date), "severity"}], at least one."""
    if not _may_record(user, enterprise):
        raise OutreachError(_("You may not record a health check for this enterprise."), 403)
    if access.is_enterprise(user) and not steward.strip():
        raise OutreachError(_("Name the steward who did the check."))
    if not (summary or "").strip():
        raise OutreachError(_("Write a summary of the check."))
    if checked_on > clock.now().date():
        raise OutreachError(_("The check date cannot be in the future."))
    rows = []
    for item in items:
        risk, measure, deadline = (item.get("risk") or "").strip(), (item.get("measure") or "").strip(), \
            item.get("deadline")
        if not risk or not measure or not isinstance(deadline, dt.date):
            raise OutreachError(_("Every remedy item needs a risk, a measure and a deadline."))
        if deadline < checked_on:
            raise OutreachError(_("A deadline cannot be before the check."))
        severity = item.get("severity") or RemedyItem.Severity.MEDIUM
        if severity not in RemedyItem.Severity.values:
            raise OutreachError(_("Unknown severity."))
        rows.append(RemedyItem(risk=risk, measure=measure, deadline=deadline, severity=severity))
    if not rows:
        raise OutreachError(_("A health check needs at least one remedy item."))
    check = HealthCheck.objects.create(enterprise=enterprise, checked_on=checked_on, steward=steward.strip()[:200],
                                       recorded_by=user, recorded_at=clock.now(), summary=summary.strip())
    for row in rows:
        row.health_check = check
    RemedyItem.objects.bulk_create(rows)
    return check


@transaction.atomic
def remedy_item_done(*, user, item: RemedyItem, note: str) -> RemedyItem:
    item = RemedyItem.objects.select_for_update().select_related("health_check__enterprise").get(pk=item.pk)
    if not _may_record(user, item.health_check.enterprise):
        raise OutreachError(_("You may not update this plan."), 403)
    if item.done_at is not None:
        raise OutreachError(_("This item is already done."), 409)
    if not (note or "").strip():
        raise OutreachError(_("Say how it was done."))
    item.done_at, item.done_by, item.done_note = clock.now(), user, note.strip()
    item.save(update_fields=["done_at", "done_by", "done_note"])
    return item
