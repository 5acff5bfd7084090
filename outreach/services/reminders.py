"""Periodic upkeep of outreach (hourly through Celery beat): attempts whose time ran out end as
expired, and each remedy item that passed its deadline undone tells its enterprise once."""
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from notifications.services import Message, notify_many

from ..models import RemedyItem
from .exams import expire_overdue


def run_reminders() -> dict[str, int]:
    today = clock.now().date()
    overdue = RemedyItem.objects.filter(done_at__isnull=True, deadline__lt=today) \
        .select_related("health_check__enterprise")
    sent = notify_many(
        Message(kind="remedy_overdue", enterprise=item.health_check.enterprise,
                subject=_("Remedy item overdue since %(date)s: %(measure)s") % {
                    "date": item.deadline, "measure": item.measure[:80]},
                url=reverse("outreach:health_detail", args=[item.health_check_id]),
                source=f"remedy:{item.pk}", dedup_key=f"remedy-overdue:{item.pk}")
        for item in overdue.iterator())
    return {"expired_attempts": expire_overdue(), "remedy_reminders": len(sent)}
