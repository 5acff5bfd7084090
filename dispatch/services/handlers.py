"""Telling the handlers of a work order at once when it reaches them (dispatch, or passed to a grid),
with its deadlines in the county's local time. Overdue reminders are the deadline check's
(``dispatch.services.deadlines``)."""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from enterprises.models import User
from notifications.services import Message, notify_many

from ..models import WorkOrder
from ..selectors import handlers_of

SUBJECTS = {
    "dispatched": gettext_noop("New work order #%(id)d: %(title)s"),
    "reassigned": gettext_noop("Work order #%(id)d passed to your grid: %(title)s"),
}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def tell_handlers(order: WorkOrder, *, event: str) -> int:
    """Notify every handler of ``order`` (in the caller's transaction, so a rolled-back dispatch tells
    no one). Returns how many were told."""
    row = {"pk": order.pk, "assignee_kind": order.assignee_kind, "township_id": order.township_id,
           "grid_id": order.grid_id, "team_id": order.team_id, "officer_id": order.officer_id}
    users = User.objects.in_bulk(sorted(handlers_of([row])))
    if not users:
        return 0
    subject = gettext(SUBJECTS[event]) % {"id": order.pk, "title": order.title}
    body = "\n".join([
        gettext("Enterprise: %(name)s") % {"name": order.enterprise.name if order.enterprise_id else "—"},
        gettext("Accept by: %(at)s") % {"at": _local(order.accept_due_at)},
        gettext("Fix by: %(at)s") % {"at": _local(order.due_at)},
    ])
    url = reverse("dispatch:order_detail", args=[order.pk])
    transitions = order.transitions.count()
    return len(notify_many(Message(kind=f"workorder_{event}", subject=subject, body=body, user=user, url=url,
                                   source="dispatch:handlers",
                                   dedup_key=f"workorder:{event}:{order.pk}:{transitions}:u{uid}")
                           for uid, user in users.items()))
