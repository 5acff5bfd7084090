"""Set-based handling of work orders: many handlers' steps (accept, start, hand back, pass to a grid)
taken in together, as an officer's device syncs the steps it kept offline or the demo ages its county.
The rules and effects of ``work_order_act`` and ``work_order_pass_to_grid`` one by one — each step checked
by ``workflow.check`` against the order as the steps before it left it, a ``Transition`` each (at the
time it was taken), an audit entry per step that changed the order, the handlers told when an order
is passed to a grid — in a few statements for the batch."""
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.models import Grid
from enterprises.signals import RowChange, rows_written

from .. import workflow
from ..models import Transition, WorkOrder
from ..workflow import WorkflowError
from .handlers import tell_handlers_many

BATCH_ACTIONS = ("accept", "start", "return", "pass_to_grid")


@dataclass(frozen=True)
class OrderStep:
    """One step of a batch; ``at``: when it was taken, if synced later (else now); ``grid``: where
    ``pass_to_grid`` passes the order."""

    order_id: int
    action: str
    user: object
    at: dt.datetime | None = None
    note: str = ""
    grid: Grid | None = None


def _plain(value):
    """A field value as the audit log keeps it (times in UTC, JSON-ready)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _fields(order: WorkOrder, step: OrderStep, at: dt.datetime) -> dict:
    """The fields ``step`` sets on ``order`` besides the state; a pass to a grid not allowed is refused here."""
    if step.action == "accept":
        return {"accepted_at": at}
    if step.action == "pass_to_grid":
        if order.assignee_kind != WorkOrder.Assignee.TOWNSHIP:
            raise WorkflowError(_("Only an order given to the township can be passed to a grid."))
        if step.grid is None or step.grid.township_id != order.township_id:
            raise WorkflowError(_("Choose a grid of the order's township."))
        return {"assignee_kind": WorkOrder.Assignee.GRID, "grid": step.grid, "accepted_at": None}
    return {}


def _values(order: WorkOrder, names) -> dict:
    """The stored form of ``order``'s fields ``names`` (a foreign key's id), as the audit log compares them."""
    return {name: getattr(order, WorkOrder._meta.get_field(name).attname) for name in names}


def work_orders_act(*, steps: list[OrderStep]) -> list[WorkOrder]:
    """Take ``steps`` in the order given (several may move one order along). All or nothing: one step
    the order's state or the user's role refuses refuses the batch. Returns the orders moved, by id."""
    for step in steps:
        if step.action not in BATCH_ACTIONS:
            raise WorkflowError(_("This action cannot be taken in a batch."))
    now = clock.now()
    ids = {step.order_id for step in steps}
    with transaction.atomic():
        orders = {o.pk: o for o in WorkOrder.objects.select_for_update(of=("self",))
                  .select_related("team", "enterprise").filter(pk__in=ids).order_by("pk")}
        counts = Counter(dict(Transition.objects.filter(work_order__in=ids).values("work_order")
                              .annotate(n=Count("pk")).values_list("work_order", "n")))
        transitions, changes, changed, passed = [], [], set(), {}
        for step in steps:
            order = orders.get(step.order_id)
            if order is None:
                raise WorkOrder.DoesNotExist(f"work order {step.order_id}")
            at = step.at or now
            fields = _fields(order, step, at)
            target = workflow.check(order, step.action, step.user)
            note = step.note or (str(step.grid) if step.action == "pass_to_grid" else "")
            transitions.append(Transition(work_order=order, action=step.action, from_state=order.state,
                                          to_state=target, by=step.user, at=at, note=note))
            counts[order.pk] += 1
            before = _values(order, ["state", *fields])
            order.state = target
            for name, value in fields.items():
                setattr(order, name, value)
            after = _values(order, before)
            diff = {name: [_plain(old), _plain(after[name])] for name, old in before.items() if old != after[name]}
            if diff:
                changes.append(RowChange(model_label=WorkOrder._meta.label, action="update", object_id=str(order.pk),
                                         object_repr=str(order)[:200], changes=diff))
                changed.update(diff)
            if step.action == "pass_to_grid":
                passed[order.pk] = counts[order.pk]  # the steps it has when the grid is told, as one by one
        Transition.objects.bulk_create(transitions, batch_size=2000)
        moved = sorted({step.order_id for step in steps})
        if changed:
            WorkOrder.objects.bulk_update([orders[pk] for pk in moved], sorted(changed), batch_size=1000)
        rows_written.send(sender=WorkOrder, changes=changes, source="work_orders_act")
        tell_handlers_many([orders[pk] for pk in passed], event="reassigned", transitions=passed)
    return [orders[pk] for pk in moved]
