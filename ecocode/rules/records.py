"""Families over records other apps keep: public complaints, work orders, self-check notices and
checklist results (dispatch) and the penalty decisions of enforcement cases (``enforcement.Case``).

Until the enforcement app has its case register, the penalty rules report themselves unavailable: a
run says so (and how many enterprises it could not score on them) instead of scoring them compliant.
The case register is read through the fields ``enterprise``, ``decided_on``, ``amount`` and ``reason``
(the reasons of ``ecocode.Penalty.Reason``).
"""
import datetime as dt

from django.apps import apps
from django.db.models import Case, CharField, F, Q, Sum, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_noop as N_

from .base import Family, key_part


def _model(label):
    return apps.get_model(label)


complaints = Family("complaints", lambda ctx, days: _model("dispatch.Complaint").objects.all(), "enterprise_id",
                    requires=("dispatch.Complaint",), record_type="complaint", record_at="created_at")


@complaints.rule("count", {"window_days": (int, 90), "channel": (str, "")},
                 N_("%(n)s public complaint(s) in the last %(window_days)s days"))
def _complaints(p, ctx):
    q = Q(created_at__gte=ctx.since(p["window_days"]), created_at__lte=ctx.as_of)
    return complaints.counted(q & Q(channel=p["channel"]) if p["channel"] else q)


work_orders = Family("work_orders", lambda ctx, days: _model("dispatch.WorkOrder").objects.all(), "enterprise_id",
                     requires=("dispatch.WorkOrder",), record_type="work_order", record_at="opened_at")
# A problem found is one fact whether a checklist line or its work order records it; so is being late to fix it.
FINDING = Concat(Value("finding:"), key_part("id"))
OVERDUE = Concat(Value("overdue:"), key_part("id"))


@work_orders.rule("findings", {"sources": (list, []), "window_days": (int, 365)},
                  N_("%(n)s problem(s) found (%(sources)s) in the last %(window_days)s days"))
def _findings(p, ctx):
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    return work_orders.counted(q & Q(source__in=p["sources"]) if p["sources"] else q, ep=FINDING)


penalties = Family("penalties", lambda ctx, days: _model("enforcement.Case").objects.all(), "enterprise_id",
                   requires=("enforcement.Case",), record_type="case", record_at="decided_on")


def _decided(p, ctx) -> Q:
    q = Q(decided_on__gte=ctx.days_ago(p["window_days"]), decided_on__lte=ctx.today)
    return q & Q(reason__in=p["reasons"]) if p["reasons"] else q


@penalties.rule("count", {"reasons": (list, []), "window_days": (int, 365)},
                N_("%(n)s penalty decision(s) in the last %(window_days)s days"))
def _penalties(p, ctx):
    return penalties.counted(_decided(p, ctx))


@penalties.rule("amount", {"reasons": (list, []), "window_days": (int, 365), "min_amount": (float, 100000)},
                N_("penalties of %(total)s yuan in the last %(window_days)s days (threshold %(min_amount)s)"),
                fact=lambda v, p, ctx: int((v["total"] or 0) >= p["min_amount"]))
def _penalty_amount(p, ctx):
    return {"total": Sum("amount", filter=_decided(p, ctx)), "records": penalties.counted(_decided(p, ctx))["records"]}


OPEN_BEFORE_ACCEPT = ("discovered", "dispatched")
OPEN_BEFORE_FIX = ("discovered", "dispatched", "accepted", "handling")


def _opened_in_window(p, ctx) -> Q:
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    return q & Q(source__in=p["sources"]) if p["sources"] else q


@work_orders.rule("overdue", {"sources": (list, []), "window_days": (int, 365)},
                  N_("%(n)s work order(s) (%(sources)s) overdue now or closed late (opened in the last "
                  "%(window_days)s days)"))
def _overdue(p, ctx):
    """Overdue as dispatch defines it: not accepted by accept_due_at, or not fixed by due_at."""
    open_overdue = (Q(state__in=OPEN_BEFORE_ACCEPT, accept_due_at__lt=ctx.as_of)
                    | Q(state__in=OPEN_BEFORE_FIX, due_at__lt=ctx.as_of))
    return work_orders.counted(_opened_in_window(p, ctx) & (open_overdue | Q(state="closed", on_time=False)),
                               ep=OVERDUE)


@work_orders.rule("supervised", {"sources": (list, []), "window_days": (int, 365)},
                  N_("%(n)s work order(s) put under the bureau's supervision (opened in the last "
                  "%(window_days)s days)"))
def _supervised(p, ctx):
    return work_orders.counted(_opened_in_window(p, ctx) & Q(supervised_at__isnull=False, supervised_at__lte=ctx.as_of),
                               ep=OVERDUE)


self_checks = Family("self_checks", lambda ctx, days: _model("dispatch.SelfCheckNotice").objects.all(),
                     "enterprise_id", requires=("dispatch.SelfCheckNotice",), record_type="self_check",
                     record_at="due_at")


def _due_in_window(p, ctx) -> Q:
    return Q(due_at__gte=ctx.since(p["window_days"]), due_at__lt=ctx.as_of)


@self_checks.rule("overdue", {"window_days": (int, 365)},
                  N_("%(n)s self-check notice(s) not done by the deadline (due in the last %(window_days)s days)"))
def _self_check_overdue(p, ctx):
    return self_checks.counted(_due_in_window(p, ctx) & (Q(completed_at__isnull=True) | Q(completed_at__gt=ctx.as_of)))


@self_checks.rule("late", {"window_days": (int, 365)},
                  N_("%(n)s self-check notice(s) done after the deadline (due in the last %(window_days)s days)"))
def _self_check_late(p, ctx):
    return self_checks.counted(_due_in_window(p, ctx) & Q(completed_at__gt=F("due_at"), completed_at__lte=ctx.as_of))


checklists = Family("checklists", lambda ctx, days: _model("dispatch.LineResult").objects.filter(result="fail"),
                    "round__enterprise_id", requires=("dispatch.LineResult",), record_type="inspection",
                    record_at="round__submitted_at")
LINE_FINDING = Case(When(work_order__isnull=False, then=Concat(Value("finding:"), key_part("work_order_id"))),
                    default=Concat(Value("line:"), key_part("id")), output_field=CharField())


def _failed_in_window(p, ctx) -> Q:
    q = Q(round__submitted_at__gte=ctx.since(p["window_days"]), round__submitted_at__lte=ctx.as_of)
    if p["categories"]:
        q &= Q(line__category__in=p["categories"])
    if p["kinds"]:
        q &= Q(round__kind__in=p["kinds"])
    return q


CHECK_PARAMS = {"categories": (list, []), "kinds": (list, []), "window_days": (int, 365)}


@checklists.rule("failed", CHECK_PARAMS,
                 N_("%(n)s checklist line(s) %(categories)s failed in rounds %(kinds)s of the last "
                 "%(window_days)s days"))
def _failed(p, ctx):
    return checklists.counted(_failed_in_window(p, ctx), ep=LINE_FINDING)


@checklists.rule("unfixed", {**CHECK_PARAMS, "days": (int, 30)},
                 N_("%(n)s failed checklist line(s) whose work order is still open after %(days)s days"))
def _unfixed(p, ctx):
    stale = Q(round__submitted_at__lt=ctx.as_of - dt.timedelta(days=p["days"]), work_order__isnull=False)
    return checklists.counted(_failed_in_window(p, ctx) & stale & ~Q(work_order__state="closed"),
                              ep=Concat(Value("overdue:"), key_part("work_order_id")))
