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
    return tell_handlers_many([order], event=event, transitions=order.transitions.count())


def tell_handlers_many(orders: list[WorkOrder], *, event: str, transitions: int | dict[int, int]) -> int:
    """Notify the handlers of many orders that each have ``transitions`` steps (one number for all, or
    by order id), in a few queries."""
    if not orders:
        return 0
    rows = [{"pk": o.pk, "assignee_kind": o.assignee_kind, "township_id": o.township_id, "grid_id": o.grid_id,
             "team_id": o.team_id, "officer_id": o.officer_id} for o in orders]
    handlers = handlers_of(rows)
    users = User.objects.in_bulk(sorted(handlers))
    by_pk = {o.pk: o for o in orders}
    steps = transitions if isinstance(transitions, dict) else dict.fromkeys(by_pk, transitions)
    messages = []
    for uid, order_ids in handlers.items():
        for pk in sorted(order_ids):
            order = by_pk[pk]
            messages.append(Message(
                kind=f"workorder_{event}", subject=gettext(SUBJECTS[event]) % {"id": pk, "title": order.title},
                body="\n".join([
                    gettext("Enterprise: %(name)s") % {"name": order.enterprise.name if order.enterprise_id else "—"},
                    gettext("Accept by: %(at)s") % {"at": _local(order.accept_due_at)},
                    gettext("Fix by: %(at)s") % {"at": _local(order.due_at)},
                ]), user=users[uid], url=reverse("dispatch:order_detail", args=[pk]), source="dispatch:handlers",
                dedup_key=f"workorder:{event}:{pk}:{steps[pk]}:u{uid}"))
    return len(notify_many(messages))
