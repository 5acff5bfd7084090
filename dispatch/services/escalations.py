"""Set-based opening of work orders: of escalated warnings (``core.escalation.escalate_many``) and of the
failed lines of rounds taken in together (``round_batches.rounds_submit_many``).

A storm (a cycle escalating thousands of warnings) must fit in its 5 minutes: the orders, their two
transitions (open, dispatch), their audit entries and the handlers' notices are written in a few
statements for the whole batch, not a dozen queries per order. Same rules as ``work_order_open``:
idempotent on ``(source, source_ref)``, routed by ``orders.route``'s rule, dispatched at once.
"""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from core import clock
from core.escalation import Escalation
from enterprises.signals import created_changes, rows_written

from ..models import Team, Transition, WorkOrder
from ..workflow import S
from .handlers import tell_handlers_many
from .orders import TEAM_SOURCES, deadlines


def _teams_by_township(township_ids: set[int]) -> tuple[dict[int, int], int | None]:
    """The team covering each township (lowest id, as ``route``) and the fallback team; none asked for
    when no township is (a batch of patrols goes to the townships)."""
    if not township_ids:
        return {}, None
    covering: dict[int, int] = {}
    for team_id, township_id in Team.townships.through.objects.filter(township_id__in=township_ids) \
            .order_by("team_id").values_list("team_id", "township_id"):
        covering.setdefault(township_id, team_id)
    return covering, Team.objects.order_by("pk").values_list("pk", flat=True).first()


def _route(source: str, township_id: int, covering: dict, fallback) -> dict:
    team_id = covering.get(township_id, fallback) if source in TEAM_SOURCES else None
    if team_id is not None:
        return {"assignee_kind": WorkOrder.Assignee.TEAM, "team_id": team_id}
    return {"assignee_kind": WorkOrder.Assignee.TOWNSHIP}


def work_orders_open_many(items: list[Escalation]) -> list[WorkOrder]:
    """Open (or find) the work order of every item, in the order given."""
    now = clock.now()
    return orders_open_many([(item, now, None) for item in items], source="escalation")


def orders_open_many(openings: list[tuple[Escalation, dt.datetime, object]], *, source: str) -> list[WorkOrder]:
    """Open (or find) the work order of each ``(item, opened_at, opened_by)``: its deadlines run from
    ``opened_at`` (a round synced late opens its orders at the time it was done), its open step is by
    ``opened_by`` (None: the platform). ``source`` names the batch in the audit entries."""
    if not openings:
        return []
    refs = {(i.source, i.source_ref) for i, _, _ in openings}
    existing = {(o.source, o.source_ref): o for o in WorkOrder.objects.filter(
        source__in={s for s, _ in refs}, source_ref__in={r for _, r in refs})}
    fresh = {}
    for item, at, by in openings:
        if item.source not in WorkOrder.Source.values:
            raise ValueError(f"unknown work-order source {item.source!r}")
        if (item.source, item.source_ref) not in existing:
            fresh.setdefault((item.source, item.source_ref), (item, at, by))
    with transaction.atomic():
        covering, fallback = _teams_by_township({i.enterprise.township_id for i, _, _ in fresh.values()
                                                 if i.source in TEAM_SOURCES})
        created = WorkOrder.objects.bulk_create([
            WorkOrder(source=i.source, source_ref=i.source_ref, title=i.title[:200], enterprise=i.enterprise,
                      township_id=i.enterprise.township_id, description=i.description, evidence=i.evidence or {},
                      opened_at=at, opened_by=by, state=S.DISPATCHED, dispatched_at=at, **deadlines(at),
                      **_route(i.source, i.enterprise.township_id, covering, fallback))
            for i, at, by in fresh.values()], batch_size=1000)
        routed = gettext("Routed by jurisdiction.")
        Transition.objects.bulk_create(
            [t for o in created for t in (
                Transition(work_order=o, action="open", from_state=S.DISCOVERED, to_state=S.DISCOVERED,
                           by=o.opened_by, at=o.opened_at),
                Transition(work_order=o, action="dispatch", from_state=S.DISCOVERED, to_state=S.DISPATCHED,
                           at=o.opened_at, note=routed))], batch_size=2000)
        rows_written.send(sender=WorkOrder, changes=created_changes(created), source=source)
        tell_handlers_many(created, event="dispatched", transitions=2)
    existing.update({(o.source, o.source_ref): o for o in created})
    return [existing[(i.source, i.source_ref)] for i, _, _ in openings]
