"""The work-order state machine: which action moves which state to which, and who may take it.

discovered → dispatched → accepted → handling → fed_back → reviewed → closed, with the side roads
dispatched → discovered (handed back for re-dispatch), fed_back → handling (sent back by the reviewer)
and closed → handling (reopened, e.g. when the complainant says it is not fixed). ``apply`` is the only
way a state changes; it records a ``Transition`` and refuses anything else with ``IllegalTransition``.
"""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import clock
from enterprises import jurisdiction
from enterprises.models import Role

from .models import Transition, WorkOrder

S = WorkOrder.State


class WorkflowError(Exception):
    """A refused work-order action; views answer it with a 4xx and the message."""

    status_code = 409


class IllegalTransition(WorkflowError):
    pass


class NotAllowed(WorkflowError):
    status_code = 403


# action: (states it may start from, state it leads to, who may take it)
HANDLER, REVIEWER, DISPATCHER, TOWNSHIP = "handler", "reviewer", "dispatcher", "township"
TRANSITIONS = {
    "dispatch": ({S.DISCOVERED}, S.DISPATCHED, DISPATCHER),
    "return": ({S.DISPATCHED}, S.DISCOVERED, HANDLER),
    "accept": ({S.DISPATCHED}, S.ACCEPTED, HANDLER),
    "pass_to_grid": ({S.DISPATCHED, S.ACCEPTED}, S.DISPATCHED, TOWNSHIP),
    "start": ({S.ACCEPTED}, S.HANDLING, HANDLER),
    "feed_back": ({S.HANDLING}, S.FED_BACK, HANDLER),
    "approve": ({S.FED_BACK}, S.REVIEWED, REVIEWER),
    "send_back": ({S.FED_BACK}, S.HANDLING, REVIEWER),
    "close": ({S.REVIEWED}, S.CLOSED, REVIEWER),
    "reopen": ({S.CLOSED}, S.HANDLING, REVIEWER),
}
ACTION_LABELS = {
    "dispatch": _("Dispatch"), "return": _("Hand back for re-dispatch"), "accept": _("Accept"),
    "start": _("Start handling"), "feed_back": _("Feed back"), "approve": _("Approve the fix"),
    "send_back": _("Send back to handling"), "close": _("Close and assess"), "reopen": _("Reopen"),
    "plan": _("Report rectification plan"), "supervise": _("Supervision (督办) started"),
    "pass_to_grid": _("Pass to a grid"), "open": pgettext_lazy("work-order action", "Open"),
}
# States in which the handler still owes the fix (the resolution deadline runs).
UNFIXED = (S.DISCOVERED, S.DISPATCHED, S.ACCEPTED, S.HANDLING)
# States in which nobody has accepted the order yet (the accept deadline runs).
UNACCEPTED = (S.DISCOVERED, S.DISPATCHED)


def is_township_officer(user, order: WorkOrder) -> bool:
    """Is ``user`` an officer of the township ``order`` is in? The township acts on everything routed to
    it and to its grids."""
    return user.role == Role.TOWNSHIP and user.township_id == order.township_id


def is_handler(user, order: WorkOrder) -> bool:
    """Is ``user`` among those who must act on ``order`` (its township, grid or team)? Township officers
    also act on the orders they passed to their grids."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if order.officer_id is not None and order.officer_id == user.pk:
        return True
    kind = order.assignee_kind
    if kind == WorkOrder.Assignee.TOWNSHIP:
        return is_township_officer(user, order)
    if kind == WorkOrder.Assignee.GRID:
        return is_township_officer(user, order) or (
            user.role == Role.GRID and user.grid_id is not None and user.grid_id == order.grid_id)
    if kind == WorkOrder.Assignee.TEAM:
        return user.role == Role.ENFORCEMENT and order.team is not None and \
            order.team.members.filter(pk=user.pk).exists()
    return False


def may(user, order: WorkOrder, role: str) -> bool:
    """May ``user`` take an action that needs ``role``? ``user=None`` is the platform itself."""
    if user is None:
        return True
    if role == HANDLER:
        return is_handler(user, order)
    if role == TOWNSHIP:
        return user.is_active and order.assignee_kind == WorkOrder.Assignee.TOWNSHIP and \
            is_township_officer(user, order)
    return jurisdiction.is_bureau(user)  # dispatching and reviewing are the bureau's


def allowed_actions(user, order: WorkOrder) -> list[str]:
    """The actions ``user`` may take on ``order`` now (for the detail page's buttons)."""
    actions = [name for name, (sources, _to, role) in TRANSITIONS.items()
               if order.state in sources and may(user, order, role)]
    if order.state in (S.ACCEPTED, S.HANDLING) and may(user, order, HANDLER):
        actions.append("plan")
    return actions


def check(order: WorkOrder, action: str, user) -> str:
    """The target state of ``action`` on ``order`` by ``user``, or raise why not."""
    if action not in TRANSITIONS:
        raise IllegalTransition(_("Unknown action %(action)s.") % {"action": action})
    sources, target, role = TRANSITIONS[action]
    if order.state not in sources:
        raise IllegalTransition(
            _("Cannot %(action)s a work order that is %(state)s.")
            % {"action": ACTION_LABELS[action], "state": order.get_state_display()})
    if not may(user, order, role):
        raise NotAllowed(_("You may not %(action)s this work order.") % {"action": ACTION_LABELS[action]})
    return target


def apply(order: WorkOrder, action: str, user, note: str = "", *, now=None, fields: dict | None = None) -> WorkOrder:
    """Take ``action`` on ``order`` (locked by the caller): change its state, set ``fields``, record it.

    The caller runs this inside ``transaction.atomic`` with the order fetched ``select_for_update``.
    """
    target = check(order, action, user)
    now = now or clock.now()
    record(order, action, user, note, now=now, to_state=target)
    order.state = target
    for name, value in (fields or {}).items():
        setattr(order, name, value)
    order.save(update_fields=["state", *(fields or {})])
    return order


def record(order: WorkOrder, action: str, user, note: str = "", *, now=None, to_state=None) -> Transition:
    """Record a step of ``order`` (a state change, or an event that keeps the state)."""
    return Transition.objects.create(work_order=order, action=action, from_state=order.state,
                                     to_state=to_state or order.state, by=user, at=now or clock.now(), note=note)
