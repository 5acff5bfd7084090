"""Families over monitoring data (``monitoring.models``): hourly aggregates against permit limits,
online data completeness and validity per self-monitoring duty, silent devices, warnings and
maintenance windows.

The aggregate-based rules put their window into correlated subqueries that walk the unique index
(outlet, pollutant, period, start) of ``Aggregate`` for each limit or duty, then sum per enterprise.
"""
import datetime as dt

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from enterprises.models import MonitoringDuty, PermitLimit
from monitoring.models import Aggregate, Alert, Device, Silence

from .base import RATIO, Family


def _scalar(qs, function: str, field: str = "pk"):
    """``SELECT <function>(field) FROM qs`` as a correlated scalar subquery (0 when empty)."""
    return Coalesce(Subquery(qs.order_by().annotate(v=Func(F(field), function=function)).values("v")[:1]), 0,
                    output_field=IntegerField())


def _hours(ctx, days: int, **lookups):
    return Aggregate.objects.filter(outlet=OuterRef("outlet"), pollutant=OuterRef("pollutant"),
                                    period=Aggregate.Period.HOUR, start__gte=ctx.since(days), start__lt=ctx.as_of,
                                    **lookups)


limits = Family("limits", lambda ctx: PermitLimit.objects.filter(pollutant__is_parameter=False),
                "outlet__enterprise_id", requires=("monitoring.Aggregate",))


@limits.rule("exceedances", {"pollutants": (list, []), "medium": (str, ""), "window_days": (int, 30),
                             "min_factor": (float, 1.0)},
             "%(n)s hourly average(s) over %(min_factor)s × the permit limit in the last %(window_days)s days")
def _exceedances(p, ctx):
    over = Q(avg__gt=OuterRef("limit_value") * p["min_factor"])
    if p["min_factor"] <= 1:
        over |= Q(avg__lt=OuterRef("lower_limit"))
    which = Q()
    if p["pollutants"]:
        which &= Q(pollutant__code__in=p["pollutants"])
    if p["medium"]:
        which &= Q(outlet__kind=p["medium"])
    return {"n": Sum(_scalar(_hours(ctx, p["window_days"]).filter(over), "COUNT"), filter=which or None)}


online = Family("online", lambda ctx: MonitoringDuty.objects.filter(method=MonitoringDuty.Method.ONLINE,
                                                                    outlet__online_monitored=True),
                "permit__enterprise_id", requires=("monitoring.Aggregate",))


def _medium(p) -> Q | None:
    return Q(outlet__kind=p["medium"]) if p["medium"] else None


@online.rule("completeness", {"medium": (str, ""), "window_days": (int, 30)},
             "online data arrived for %(fact)s of the due hours in the last %(window_days)s days "
             "(%(received)s of %(due)s; required %(min_ratio)s)", mode=RATIO,
             fact=lambda v, p, ctx: round(v["received"] / v["due"], 4) if v["due"] else None)
def _completeness(p, ctx):
    received = _scalar(_hours(ctx, p["window_days"], count__gt=0), "COUNT")
    return {"received": Sum(received, filter=_medium(p)),
            "due": Count("id", filter=_medium(p)) * (p["window_days"] * 24)}


@online.rule("validity", {"medium": (str, ""), "window_days": (int, 30)},
             "%(fact)s of the online readings in the last %(window_days)s days were valid (flag N) "
             "(%(valid)s of %(received)s; required %(min_ratio)s)", mode=RATIO,
             fact=lambda v, p, ctx: round(v["valid"] / v["received"], 4) if v["received"] else None)
def _validity(p, ctx):
    return {"valid": Sum(_scalar(_hours(ctx, p["window_days"]), "SUM", "valid_count"), filter=_medium(p)),
            "received": Sum(_scalar(_hours(ctx, p["window_days"]), "SUM", "count"), filter=_medium(p))}


devices = Family("devices", lambda ctx: Device.objects.filter(outlet__isnull=False, is_active=True),
                 "outlet__enterprise_id", requires=("monitoring.Device",))


@devices.rule("silent", {"medium": (str, ""), "hours": (int, 24)},
              "%(n)s monitoring device(s) sent no accepted data for %(hours)s hours")
def _silent(p, ctx):
    q = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=ctx.as_of - dt.timedelta(hours=p["hours"]))
    return {"n": Count("id", filter=q & Q(outlet__kind=p["medium"]) if p["medium"] else q)}


ALERT_PARAMS = {"rules": (list, []), "medium": (str, ""), "window_days": (int, 90)}
alerts = Family("alerts", lambda ctx: Alert.objects.all(), "enterprise_id", requires=("monitoring.Alert",))


def _alerts_in_window(p, ctx) -> Q:
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    if p["rules"]:
        q &= Q(rule__in=p["rules"])
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return q


@alerts.rule("opened", ALERT_PARAMS, "%(n)s warning(s) %(rules)s in the last %(window_days)s days")
def _opened(p, ctx):
    return {"n": Count("id", filter=_alerts_in_window(p, ctx))}


@alerts.rule("unanswered", {**ALERT_PARAMS, "minutes": (int, 30)},
             "%(n)s warning(s) %(rules)s not acknowledged within %(minutes)s minutes "
             "(last %(window_days)s days)")
def _unanswered(p, ctx):
    deadline = F("opened_at") + dt.timedelta(minutes=p["minutes"])
    late_ack = Q(acknowledged_at__gt=deadline)
    never = (Q(acknowledged_at__isnull=True, opened_at__lt=ctx.as_of - dt.timedelta(minutes=p["minutes"]))
             & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=deadline)))
    # Warnings muted by a maintenance window or inhibited by another warning were never sent to answer.
    return {"n": Count("id", filter=_alerts_in_window(p, ctx) & Q(muted="") & (late_ack | never))}


@alerts.rule("escalated", ALERT_PARAMS,
             "%(n)s warning(s) %(rules)s escalated to an alarm in the last %(window_days)s days")
def _escalated(p, ctx):
    return {"n": Count("id", filter=_alerts_in_window(p, ctx) & Q(escalated_at__isnull=False))}


silences = Family("silences", lambda ctx: Silence.objects.all(), "enterprise_id", requires=("monitoring.Silence",))


@silences.rule("count", {"window_days": (int, 30)},
               "%(n)s maintenance window(s) declared in the last %(window_days)s days")
def _silences(p, ctx):
    return {"n": Count("id", filter=Q(starts_at__gte=ctx.since(p["window_days"]), starts_at__lte=ctx.as_of))}

