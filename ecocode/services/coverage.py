"""Whether an enterprise's data cover enough of the window to score it.

An enterprise is scored on evidence; with too little of it, a clean record means nothing, so it gets
"insufficient data" (grey) instead of green. Its data are insufficient when, in the catalogue's
``coverage`` terms:

* nothing shows its conduct in the last ``conduct_window_days``: no submitted execution report, no
  checklist round (patrol, inspection or self-check), no self-check notice completed and no work order
  closed; or
* it has online monitoring duties and less than ``online_min_ratio`` of the readings its devices owe in
  the last ``online_window_days`` arrived (owed by each device's own interval, from its first packet).

A proven deduction stands: an enterprise whose deductions already put it below green keeps that colour.
A few grouped queries and one scan of the online aggregates, whatever the number of enterprises.
"""
from django.apps import apps

from enterprises.models import ExecutionReport

from ..rules import RULES, Context, check_params


def insufficient(coverage: dict, ctx: Context, enterprise_ids) -> set[int]:
    """The ids among ``enterprise_ids`` whose data do not cover enough of the window."""
    ids = set(enterprise_ids)
    since = ctx.since(coverage["conduct_window_days"])
    conduct = set(ExecutionReport.objects.filter(submitted_on__gte=since.date(), submitted_on__lte=ctx.today)
                  .values_list("permit__enterprise_id", flat=True).distinct())
    for label, moment in (("dispatch.Round", "submitted_at"), ("dispatch.SelfCheckNotice", "completed_at"),
                          ("dispatch.WorkOrder", "closed_at")):
        try:
            rows = apps.get_model(label).objects
        except LookupError:
            continue
        conduct |= set(rows.filter(**{f"{moment}__gte": since, f"{moment}__lte": ctx.as_of})
                       .values_list("enterprise_id", flat=True).distinct())
    short = _online_short(coverage, ctx, ids)
    return {eid for eid in ids if eid not in conduct or eid in short}


def _online_short(coverage: dict, ctx: Context, ids: set[int]) -> set[int]:
    """Enterprises with online duties whose devices delivered less than the required share."""
    from .scoring import family_rows

    rule = RULES["online.completeness"]
    params = check_params(rule.key, {"window_days": coverage["online_window_days"],
                                     "min_ratio": coverage["online_min_ratio"]})
    totals = {}
    for eid, values in family_rows(rule, params, ctx):
        if eid in ids:
            acc = totals.setdefault(eid, [0.0, 0.0])
            acc[0] += values["received"]
            acc[1] += values["owed"]
    return {eid for eid, (received, owed) in totals.items() if owed and received / owed < params["min_ratio"]}
