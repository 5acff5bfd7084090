"""Writes of dispatch: opening, routing and moving work orders, feedback, rectification plans, complaints.

Other apps open work orders and file complaints only through ``work_order_open`` and ``complaint_file``.
Every state change goes through ``dispatch.workflow.apply`` (recorded, illegal ones refused).
"""
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.escalation import Escalation
from enterprises.models import Enterprise, Township

from .. import workflow
from ..models import Complaint, ComplaintAnswer, Team, WorkOrder
from ..workflow import S, WorkflowError
from . import photos
from .handlers import tell_handlers

ACCEPT_WITHIN = dt.timedelta(days=1)
FIX_WITHIN = dt.timedelta(days=3)
PLAN_WITHIN = dt.timedelta(days=5)
SUPERVISE_AFTER = dt.timedelta(days=7)
# Findings that go to an enforcement team rather than the township or grid.
TEAM_SOURCES = {WorkOrder.Source.INSPECTION, WorkOrder.Source.ALERT}


def deadlines(opened_at: dt.datetime) -> dict:
    """The "1357" deadlines of an order opened at ``opened_at``."""
    return {
        "accept_due_at": opened_at + ACCEPT_WITHIN, "fix_due_at": opened_at + FIX_WITHIN,
        "plan_due_at": opened_at + PLAN_WITHIN, "supervise_at": opened_at + SUPERVISE_AFTER,
        "due_at": opened_at + FIX_WITHIN,
    }


def route(source: str, enterprise: Enterprise | None, township: Township) -> dict:
    """Who must act, as a county works: an enforcement team for inspection findings and escalated
    warnings (the team covering the township, else the first team); everything else goes to the
    township, which accepts it and handles it itself or passes it to one of its grids
    (``work_order_pass_to_grid``)."""
    if source in TEAM_SOURCES:
        team = (Team.objects.filter(townships=township).order_by("pk").first()
                or Team.objects.order_by("pk").first())
        if team is not None:
            return {"assignee_kind": WorkOrder.Assignee.TEAM, "team": team, "grid": None}
    return {"assignee_kind": WorkOrder.Assignee.TOWNSHIP, "grid": None, "team": None}


def work_order_open(*, source: str, title: str, enterprise: Enterprise | None = None,
                    township: Township | None = None, description: str = "", evidence: dict | None = None,
                    source_ref: str = "", opened_by=None, auto_dispatch: bool = True) -> WorkOrder:
    """Open a work order, route it by jurisdiction and (by default) dispatch it at once.

    Idempotent on ``(source, source_ref)``: opening the same thing twice returns the first order.
    The "1357" deadlines run from the opening time.
    """
    if source not in WorkOrder.Source.values:
        raise ValueError(f"unknown work-order source {source!r}")
    if township is None:
        if enterprise is None:
            raise ValueError("a work order needs an enterprise or a township")
        township = enterprise.township
    if source_ref:
        existing = WorkOrder.objects.filter(source=source, source_ref=source_ref).first()
        if existing:
            return existing
    now = clock.now()
    try:
        with transaction.atomic():
            order = WorkOrder.objects.create(
                source=source, source_ref=source_ref, title=title[:200], enterprise=enterprise, township=township,
                description=description, evidence=evidence or {}, opened_at=now, opened_by=opened_by,
                **deadlines(now), **route(source, enterprise, township),
            )
            workflow.record(order, "open", opened_by, now=now)
            if auto_dispatch:
                workflow.apply(order, "dispatch", None, _("Routed by jurisdiction."), now=now,
                               fields={"dispatched_at": now})
                tell_handlers(order, event="dispatched")
            return order
    except IntegrityError:
        if source_ref:
            return WorkOrder.objects.get(source=source, source_ref=source_ref)
        raise


def _locked(order_id: int) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("team").get(pk=order_id)


def work_order_dispatch(*, order_id: int, user, assignee_kind: str | None = None, grid=None, team=None,
                   officer=None, note: str = "") -> WorkOrder:
    """Dispatch a discovered order (optionally to another assignee than the routed one)."""
    with transaction.atomic():
        order = _locked(order_id)
        fields = {"dispatched_at": clock.now()}
        if assignee_kind:
            if assignee_kind not in WorkOrder.Assignee.values:
                raise WorkflowError(_("Unknown assignee."))
            if assignee_kind == WorkOrder.Assignee.GRID and (grid is None or grid.township_id != order.township_id):
                raise WorkflowError(_("Choose a grid of the order's township."))
            if assignee_kind == WorkOrder.Assignee.TEAM and team is None:
                raise WorkflowError(_("Choose an enforcement team."))
            fields.update(assignee_kind=assignee_kind, grid=grid, team=team)
        if officer is not None:
            fields["officer"] = officer
        order = workflow.apply(order, "dispatch", user, note, fields=fields)
        tell_handlers(order, event="dispatched")
        return order


def work_order_pass_to_grid(*, order_id: int, user, grid, note: str = "") -> WorkOrder:
    """The township passes an order it was given (dispatched or accepted) to one of its grids; the
    grid must accept it in turn. The accept deadline keeps running from the opening (the "1" of 1357)."""
    with transaction.atomic():
        order = _locked(order_id)
        if order.assignee_kind != WorkOrder.Assignee.TOWNSHIP:
            raise WorkflowError(_("Only an order given to the township can be passed to a grid."))
        if grid is None or grid.township_id != order.township_id:
            raise WorkflowError(_("Choose a grid of the order's township."))
        order = workflow.apply(order, "pass_to_grid", user, note or str(grid), fields={
            "assignee_kind": WorkOrder.Assignee.GRID, "grid": grid, "accepted_at": None})
        tell_handlers(order, event="reassigned")
        return order


def work_order_act(*, order_id: int, action: str, user, note: str = "") -> WorkOrder:
    """Take a plain action (accept, start, return, approve, send_back, close, reopen) on an order."""
    if action in ("dispatch", "feed_back", "pass_to_grid"):
        raise WorkflowError(_("This action needs its own form."))
    now = clock.now()
    with transaction.atomic():
        order = _locked(order_id)
        workflow.check(order, action, user)
        fields: dict = {}
        if action == "accept":
            fields["accepted_at"] = now
        elif action == "approve":
            latest = order.feedbacks.filter(completed_at__isnull=False).order_by("-completed_at").first()
            if latest is None:
                raise WorkflowError(_("There is no complete feedback to approve."))
            fields["resolved_at"] = latest.completed_at
        elif action == "close":
            fields.update(closed_at=now, on_time=order.resolved_at is not None and order.due_at is not None
                          and order.resolved_at <= order.due_at)
        elif action == "reopen":
            fields.update(closed_at=None, on_time=None, resolved_at=None, reopened=order.reopened + 1)
        order = workflow.apply(order, action, user, note, now=now, fields=fields)
        if action == "close":
            _ask_complainant(order, now)
        return order


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def work_order_report_plan(*, order_id: int, user, text: str, completion_date: dt.date) -> WorkOrder:
    """The handler reports a rectification plan with a completion date (the 5-day rule).

    A plan reported by the 5-day deadline moves the resolution deadline to its date; a late one is
    recorded but does not excuse the delay. Either way it stops automatic supervision until its date.
    """
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("A rectification plan needs text."))
    now = clock.now()
    if completion_date < timezone.localdate(now):
        raise WorkflowError(_("The completion date cannot be in the past."))
    with transaction.atomic():
        order = _locked(order_id)
        if order.state not in (S.ACCEPTED, S.HANDLING):
            raise workflow.IllegalTransition(_("A plan can only be reported while the order is being handled."))
        if not workflow.may(user, order, workflow.HANDLER):
            raise workflow.NotAllowed(_("Only the handler may report a plan."))
        order.plan_text, order.plan_date, order.plan_reported_at = text, completion_date, now
        fields = ["plan_text", "plan_date", "plan_reported_at"]
        if order.plan_due_at is None or now <= order.plan_due_at:
            order.due_at = max(order.fix_due_at or now, _end_of_day(completion_date))
            fields.append("due_at")
        order.save(update_fields=fields)
        workflow.record(order, "plan", user, f"{completion_date:%Y-%m-%d}: {text}", now=now)
        return order


def complaint_file(*, text: str, channel: str, enterprise: Enterprise | None = None,
                   township: Township | None = None, photo=None, contact: str = "") -> Complaint:
    """Store a public complaint and open its work order, in one transaction. The photo is re-encoded
    without its metadata and stored under a generated name (``photos.reencode_photo``): the accused
    enterprise, who sees the order, learns nothing about the complainant from it."""
    text = (text or "").strip()
    if photo:
        photo = photos.reencode_photo(photo)
    if not text:
        raise ValueError("a complaint needs text")
    if township is None:
        if enterprise is None:
            raise ValueError("a complaint needs an enterprise or a township")
        township = enterprise.township
    with transaction.atomic():
        complaint = Complaint.objects.create(enterprise=enterprise, township=township, channel=channel, text=text,
                                             photo=photo, contact=(contact or "").strip(), created_at=clock.now())
        complaint.work_order = work_order_open(source=WorkOrder.Source.COMPLAINT, enterprise=enterprise,
                                               township=township, title=gettext("Public complaint: %(text)s") % {"text": text[:60]},
                                               description=text,
                                               source_ref=f"complaint:{complaint.pk}",
                                               evidence={"photo": complaint.photo.name if complaint.photo else ""})
        complaint.save(update_fields=["work_order"])
    return complaint


def _ask_complainant(order: WorkOrder, now: dt.datetime) -> None:
    """When an order closes, its complainant (if they left contact) is asked "is it fixed?" on the status page."""
    Complaint.objects.filter(work_order=order).exclude(contact="").update(fixed_question_at=now)


def complaint_answer_fixed(*, complaint: Complaint, fixed: bool, comment: str = "") -> ComplaintAnswer:
    """Store the complainant's answer; "not fixed" reopens the order (recorded, by the platform)."""
    now = clock.now()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update(of=("self",)).select_related("work_order").get(pk=complaint.pk)
        order = complaint.work_order
        if order is None or complaint.fixed_question_at is None or order.state != S.CLOSED:
            raise WorkflowError(_("There is no open question on this complaint."))
        try:
            with transaction.atomic():
                answer = ComplaintAnswer.objects.create(complaint=complaint, fixed=fixed, comment=comment.strip(),
                                                        answered_at=now, closure=order.reopened)
        except IntegrityError:
            raise WorkflowError(_("This closure was already answered.")) from None
        complaint.fixed_question_at = None
        complaint.save(update_fields=["fixed_question_at"])
        if not fixed:
            locked = _locked(order.pk)
            note = gettext("The complainant says it is not fixed: %(comment)s") % {"comment": comment.strip()}
            workflow.apply(locked, "reopen", None, note[:2000], now=now,
                           fields={"closed_at": None, "on_time": None, "resolved_at": None,
                                   "reopened": locked.reopened + 1})
        return answer


def work_order_open_from_escalation(item: Escalation) -> WorkOrder:
    """The handler of ``core.escalation``: a warning past its half hour becomes a work order."""
    return work_order_open(source=item.source, source_ref=item.source_ref, enterprise=item.enterprise,
                           title=item.title, description=item.description, evidence=item.evidence)
