"""Families over records other apps and bureau staff keep: public complaints and work orders
(dispatch) and penalty decisions (``ecocode.Penalty``)."""
from django.apps import apps
from django.db.models import Count, Q, Sum

from ..models import Penalty
from .base import Family


def _model(label):
    return apps.get_model(label)


complaints = Family("complaints", lambda ctx: _model("dispatch.Complaint").objects.all(), "enterprise_id",
                    requires=("dispatch.Complaint",))


@complaints.rule("count", {"window_days": (int, 90), "channel": (str, "")},
                 "%(n)s public complaint(s) in the last %(window_days)s days")
def _complaints(p, ctx):
    q = Q(created_at__gte=ctx.since(p["window_days"]), created_at__lte=ctx.as_of)
    return {"n": Count("id", filter=q & Q(channel=p["channel"]) if p["channel"] else q)}


work_orders = Family("work_orders", lambda ctx: _model("dispatch.WorkOrder").objects.all(), "enterprise_id",
                     requires=("dispatch.WorkOrder",))


@work_orders.rule("findings", {"sources": (list, []), "window_days": (int, 365)},
                  "%(n)s problem(s) found (%(sources)s) in the last %(window_days)s days")
def _findings(p, ctx):
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    return {"n": Count("id", filter=q & Q(source__in=p["sources"]) if p["sources"] else q)}


penalties = Family("penalties", lambda ctx: Penalty.objects.all(), "enterprise_id")


def _decided(p, ctx) -> Q:
    q = Q(decided_on__gte=ctx.days_ago(p["window_days"]), decided_on__lte=ctx.today)
    return q & Q(reason__in=p["reasons"]) if p["reasons"] else q


@penalties.rule("count", {"reasons": (list, []), "window_days": (int, 365)},
                "%(n)s penalty decision(s) in the last %(window_days)s days")
def _penalties(p, ctx):
    return {"n": Count("id", filter=_decided(p, ctx))}


@penalties.rule("amount", {"reasons": (list, []), "window_days": (int, 365), "min_amount": (float, 100000)},
                "penalties of %(total)s yuan in the last %(window_days)s days (threshold %(min_amount)s)",
                fact=lambda v, p, ctx: int((v["total"] or 0) >= p["min_amount"]))
def _penalty_amount(p, ctx):
    return {"total": Sum("amount", filter=_decided(p, ctx))}
