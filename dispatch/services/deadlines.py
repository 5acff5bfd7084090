"""The "1357" deadline check run by beat every few minutes: set-based, idempotent, concurrency-safe.

Each rule is one locked SELECT of the orders that crossed a deadline and were not yet reminded, one
UPDATE stamping them, and one digest notification per recipient (with a ``dedup_key``), all in one
transaction: a crash leaves nothing half-done, a second run finds nothing new, and a concurrent run
skips the locked rows. Rules:

* day 1: not accepted → remind the handlers;
* day 3 (or the plan's date): not fixed → remind the handlers that the fix is overdue;
* day 5: not fixed and no rectification plan → remind the handlers that a plan is owed;
* day 7: not fixed and no plan (or the plan's date has passed) → supervision (督办) starts: recorded on
  the order and its history, and the bureau is told as well as the handlers.
"""
import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core import clock
from enterprises.models import Role, User
from notifications.services import notify

from ..models import Transition, WorkOrder
from ..selectors import handlers_of
from ..workflow import UNACCEPTED, UNFIXED

log = logging.getLogger(__name__)
CHUNK = 5000
LISTED = 20


@dataclass(frozen=True)
class Rule:
    name: str
    stamp: str  # the field set when the reminder went out
    subject: str  # a msgid; "%(n)d" is the number of orders
    tell_bureau: bool = False

    def due(self, now) -> Q:
        today = timezone.localdate(now)
        if self.name == "accept":
            return Q(state__in=UNACCEPTED, accept_due_at__lte=now)
        if self.name == "fix":
            return Q(state__in=UNFIXED, due_at__lte=now)
        if self.name == "plan":
            return Q(state__in=UNFIXED, plan_due_at__lte=now, plan_reported_at__isnull=True)
        return Q(state__in=UNFIXED, supervise_at__lte=now) & (Q(plan_reported_at__isnull=True)
                                                             | Q(plan_date__lt=today))


RULES = (
    Rule("accept", "accept_reminded_at", gettext_noop("%(n)d work order(s) not accepted within 1 day: accept and "
                                                      "handle them now")),
    Rule("fix", "fix_reminded_at", gettext_noop("%(n)d work order(s) past their fix deadline: finish and feed back "
                                                "soon")),
    Rule("plan", "plan_reminded_at", gettext_noop("%(n)d work order(s) not fixed after 5 days and no rectification "
                                                  "plan: report one now (with its completion date)")),
    Rule("supervise", "supervised_at", gettext_noop("%(n)d work order(s) not fixed after 7 days and no "
                                                    "rectification plan: supervision has started"),
         tell_bureau=True),
)


def deadlines_check(*, now=None) -> dict[str, int]:
    """Apply every rule once at ``now``; returns how many orders each rule newly caught."""
    now = now or clock.now()
    return {rule.name: _apply(rule, now) for rule in RULES}


def _apply(rule: Rule, now) -> int:
    with transaction.atomic():
        ids = list(WorkOrder.objects.filter(rule.due(now), **{f"{rule.stamp}__isnull": True})
                   .select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        for start in range(0, len(ids), CHUNK):
            WorkOrder.objects.filter(pk__in=ids[start:start + CHUNK]).update(**{rule.stamp: now})
        if rule.name == "supervise":
            Transition.objects.bulk_create(
                (Transition(work_order_id=pk, action="supervise", from_state=state, to_state=state, at=now,
                            note=gettext("Not fixed after 7 days and no rectification plan: supervision "
                                         "started automatically."))
                 for pk, state in WorkOrder.objects.filter(pk__in=ids).values_list("pk", "state").iterator()),
                batch_size=CHUNK)
        _remind(rule, ids)
        return len(ids)


def _remind(rule: Rule, ids: list[int]) -> None:
    """One digest per recipient listing their orders; the dedup key names the exact set of orders."""
    orders = {row["pk"]: row for row in WorkOrder.objects.filter(pk__in=ids).values(
        "pk", "title", "assignee_kind", "township_id", "grid_id", "team_id", "officer_id")}
    by_user = handlers_of(orders.values())
    if rule.tell_bureau:
        for uid in User.objects.filter(role=Role.BUREAU, is_active=True).values_list("pk", flat=True):
            by_user[uid].update(orders)
    users = User.objects.in_bulk(list(by_user))
    url = reverse("dispatch:order_list") + "?overdue=1"
    for uid, order_ids in by_user.items():
        listed = sorted(order_ids)
        key = hashlib.sha1(",".join(map(str, listed)).encode()).hexdigest()[:20]
        lines = [f"#{pk} {orders[pk]['title']}" for pk in listed[:LISTED]]
        if len(listed) > LISTED:
            lines.append(gettext("… and %(n)d more") % {"n": len(listed) - LISTED})
        notify(kind=f"workorder_{rule.name}", subject=gettext(rule.subject) % {"n": len(listed)},
               body="\n".join(lines),
               user=users[uid], url=url, source="dispatch:deadlines", dedup_key=f"dispatch:{rule.name}:u{uid}:{key}")
    if not by_user:
        log.warning("deadline rule %s caught %d orders with nobody to tell", rule.name, len(ids))
