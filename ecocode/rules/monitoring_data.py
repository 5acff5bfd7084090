"""Families over monitoring data (``monitoring.models``): hourly aggregates against permit limits,
online data completeness and validity per self-monitoring duty, silent devices, warnings and
maintenance windows.

The ``online`` family scans the hourly aggregates of the window once: each online duty LEFT JOINed to
its permit limit and its aggregates (so a duty with no data at all still counts as due), grouped per
duty; completeness, validity and exceedances are all read from that one query.
"""
import datetime as dt

from django.db.models import (
    Count, DurationField, ExpressionWrapper, F, FilteredRelation, FloatField, Func, Max, Min, OuterRef, Q, Subquery,
    Sum, Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils.translation import gettext_noop as N_

from alerts.models import Alert, Silence
from enterprises.models import MonitoringDuty
from monitoring.models import Aggregate, Device

from .base import RATIO, Family


def _duty_hours(ctx, days):
    """Online duties of monitored outlets, each LEFT JOINed to its permit limit and to its hourly
    aggregates of the window: one scan of the window's aggregates serves every rule of the family."""
    window = Q(outlet__aggregates__pollutant=F("pollutant"), outlet__aggregates__period=Aggregate.Period.HOUR,
               outlet__aggregates__start__gte=ctx.since(days or 30), outlet__aggregates__start__lt=ctx.as_of)
    return MonitoringDuty.objects.filter(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=True) \
        .alias(hours=FilteredRelation("outlet__aggregates", condition=window),
               permit_limit=FilteredRelation("outlet__limits", condition=Q(outlet__limits__pollutant=F("pollutant"))))


# Grouped per duty: a duty's row says how many of its hours had data, were valid, were over the limit;
# the duties an indicator sums are those of its pollutants and medium.
online = Family("online", _duty_hours, "permit__enterprise_id", requires=("monitoring.Aggregate",),
                detail={"duty_id": "id", "outlet_kind": "outlet__kind", "pollutant_code": "pollutant__code"})


def _matches(p, row) -> bool:
    return ((not p.get("pollutants") or row["pollutant_code"] in p["pollutants"])
            and (not p["medium"] or row["outlet_kind"] == p["medium"]))


@online.rule("exceedances", {"pollutants": (list, []), "medium": (str, ""), "window_days": (int, 30),
                             "min_factor": (float, 1.0)},
             N_("%(n)s hourly average(s) over %(min_factor)s × the permit limit in the last %(window_days)s days"),
             select=_matches)
def _exceedances(p, ctx):
    over = Q(hours__avg__gt=Cast("permit_limit__limit_value", FloatField()) * p["min_factor"])
    if p["min_factor"] <= 1:
        over |= Q(hours__avg__lt=Cast("permit_limit__lower_limit", FloatField()))
    return {"n": Count("hours__id", filter=over & Q(hours__start__gte=ctx.since(p["window_days"])))}


def _since(p, ctx, **lookups) -> Q:
    return Q(hours__start__gte=ctx.since(p["window_days"]), **lookups)


class DurationSeconds(Func):
    """The seconds of a duration (a PostgreSQL interval; microseconds in SQLite, the embedded mode)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s) / 1000000.0", **extra)


def _due_hours(p, ctx):
    """The hours of the window a duty's data were due: from the window's start, or from the first packet
    of the outlet's devices when that came later (a device connected yesterday owes one day, not 30)."""
    since = ctx.since(p["window_days"])
    first_packet = Subquery(Device.objects.filter(outlet_id=OuterRef("outlet_id")).order_by()
                            .values("outlet_id").annotate(first=Min("first_seen_at")).values("first")[:1])
    start = Greatest(Value(since), Coalesce(first_packet, Value(since)))
    return DurationSeconds(ExpressionWrapper(Value(ctx.as_of) - start, DurationField())) / Value(3600.0)


@online.rule("completeness", {"medium": (str, ""), "window_days": (int, 30)},
             N_("online data arrived for %(fact)s of the due hours in the last %(window_days)s days "
             "(%(received)s hours for %(duties)s duties; required %(min_ratio)s)"), mode=RATIO, select=_matches,
             fact=lambda v, p, ctx: round(min(1.0, v["received"] / v["due"]), 4) if v["duties"] and v["due"] else None)
def _completeness(p, ctx):
    return {"received": Count("hours__id", filter=_since(p, ctx, hours__count__gt=0)), "duties": Max(Value(1)),
            "due": Max(_due_hours(p, ctx))}


@online.rule("validity", {"medium": (str, ""), "window_days": (int, 30)},
             N_("%(fact)s of the online readings in the last %(window_days)s days were valid (flag N) "
             "(%(valid)s of %(received)s; required %(min_ratio)s)"), mode=RATIO, select=_matches,
             fact=lambda v, p, ctx: round(v["valid"] / v["received"], 4) if v["received"] else None)
def _validity(p, ctx):
    return {"valid": Sum("hours__valid_count", filter=_since(p, ctx)),
            "received": Sum("hours__count", filter=_since(p, ctx))}


devices = Family("devices", lambda ctx, days: Device.objects.filter(outlet__isnull=False, is_active=True),
                 "outlet__enterprise_id", requires=("monitoring.Device",))


@devices.rule("silent", {"medium": (str, ""), "hours": (int, 24)},
              N_("%(n)s monitoring device(s) sent no accepted data for %(hours)s hours"))
def _silent(p, ctx):
    q = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=ctx.as_of - dt.timedelta(hours=p["hours"]))
    return {"n": Count("id", filter=q & Q(outlet__kind=p["medium"]) if p["medium"] else q)}


ALERT_PARAMS = {"rules": (list, []), "medium": (str, ""), "window_days": (int, 90)}
alerts = Family("alerts", lambda ctx, days: Alert.objects.all(), "enterprise_id", requires=("alerts.Alert",))


def _alerts_in_window(p, ctx) -> Q:
    q = Q(opened_at__gte=ctx.since(p["window_days"]), opened_at__lte=ctx.as_of)
    if p["rules"]:
        q &= Q(rule__in=p["rules"])
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return q


@alerts.rule("opened", ALERT_PARAMS, N_("%(n)s warning(s) %(rules)s in the last %(window_days)s days"))
def _opened(p, ctx):
    return {"n": Count("id", filter=_alerts_in_window(p, ctx))}


@alerts.rule("unanswered", {**ALERT_PARAMS, "minutes": (int, 30)},
             N_("%(n)s warning(s) %(rules)s not acknowledged within %(minutes)s minutes "
             "(last %(window_days)s days)"))
def _unanswered(p, ctx):
    deadline = F("opened_at") + dt.timedelta(minutes=p["minutes"])
    late_ack = Q(acknowledged_at__gt=deadline)
    never = (Q(acknowledged_at__isnull=True, opened_at__lt=ctx.as_of - dt.timedelta(minutes=p["minutes"]))
             & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=deadline)))
    # Warnings muted by a maintenance window or inhibited by another warning were never sent to answer.
    return {"n": Count("id", filter=_alerts_in_window(p, ctx) & Q(muted="") & (late_ack | never))}


@alerts.rule("escalated", ALERT_PARAMS,
             N_("%(n)s warning(s) %(rules)s escalated to an alarm in the last %(window_days)s days"))
def _escalated(p, ctx):
    return {"n": Count("id", filter=_alerts_in_window(p, ctx) & Q(escalated_at__isnull=False))}


silences = Family("silences", lambda ctx, days: Silence.objects.all(), "enterprise_id",
                  requires=("alerts.Silence",))


@silences.rule("count", {"window_days": (int, 30)},
               N_("%(n)s maintenance window(s) declared in the last %(window_days)s days"))
def _silences(p, ctx):
    return {"n": Count("id", filter=Q(starts_at__gte=ctx.since(p["window_days"]), starts_at__lte=ctx.as_of))}

