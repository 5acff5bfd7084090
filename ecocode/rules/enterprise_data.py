"""Families over the enterprise's own permit data: execution reports, permits, outlets and
self-monitoring duties (all in ``enterprises.models``)."""
import datetime as dt

from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
)
from django.utils.translation import gettext_noop as N_

from enterprises.models import (
    Enterprise,
    ExecutionReport,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitLimit,
    TreatmentFacility,
)

from .base import Family

REPORT_PARAMS = {"kind": (str, ""), "window_days": (int, 365)}

reports = Family("reports", lambda ctx, days: ExecutionReport.objects.all(), "permit__enterprise_id")


def _due_in_window(p, ctx) -> Q:
    q = Q(due_on__gte=ctx.days_ago(p["window_days"]), due_on__lte=ctx.today)
    return q & Q(kind=p["kind"]) if p["kind"] else q


@reports.rule("late", {**REPORT_PARAMS, "min_days_late": (int, 1)},
              N_("%(n)s report(s) submitted %(min_days_late)s or more days after the due date "
              "(due in the last %(window_days)s days)"))
def _late(p, ctx):
    latest_on_time = ExpressionWrapper(F("due_on") + dt.timedelta(days=max(p["min_days_late"], 1) - 1),
                                       output_field=DateField())
    return {"n": Count("id", filter=_due_in_window(p, ctx) & Q(submitted_on__gt=latest_on_time))}


@reports.rule("missing", {**REPORT_PARAMS, "grace_days": (int, 0)},
              N_("%(n)s report(s) not submitted more than %(grace_days)s days after the due date "
              "(due in the last %(window_days)s days)"))
def _missing(p, ctx):
    return {"n": Count("id", filter=_due_in_window(p, ctx) & Q(submitted_on__isnull=True,
                                                                due_on__lt=ctx.days_ago(p["grace_days"])))}


@reports.rule("incomplete", REPORT_PARAMS,
              N_("%(n)s submitted report(s) incomplete (due in the last %(window_days)s days)"))
def _incomplete(p, ctx):
    return {"n": Count("id", filter=_due_in_window(p, ctx) & Q(submitted_on__isnull=False, is_complete=False))}


@reports.rule("inconsistent", REPORT_PARAMS,
              N_("%(n)s submitted report(s) inconsistent with the monitoring data (due in the last "
              "%(window_days)s days)"))
def _inconsistent(p, ctx):
    return {"n": Count("id", filter=_due_in_window(p, ctx) & Q(submitted_on__isnull=False, is_consistent=False))}


permits = Family("permits", lambda ctx, days: Enterprise.objects.all(), "id")


def _valid_on(day) -> Q:
    return Q(permits__status=Permit.Status.VALID, permits__valid_from__lte=day, permits__expires_on__gte=day)


@permits.rule("none_valid", {}, N_("no discharge permit valid today"),
              fact=lambda v, p, ctx: int(v["valid"] == 0))
def _none_valid(p, ctx):
    return {"valid": Count("permits", filter=_valid_on(ctx.today))}


@permits.rule("expiring", {"days": (int, 90)}, N_("the permit expires on %(last_expiry)s, within %(days)s days"),
              fact=lambda v, p, ctx: int(v["last_expiry"] is not None
                                         and ctx.today <= v["last_expiry"] <= ctx.today + dt.timedelta(days=p["days"])))
def _expiring(p, ctx):
    return {"last_expiry": Max("permits__expires_on", filter=_valid_on(ctx.today))}


@permits.rule("status", {"statuses": (list, ["suspended"])}, N_("%(n)s permit(s) in state %(statuses)s"))
def _status(p, ctx):
    return {"n": Count("permits", filter=Q(permits__status__in=p["statuses"]))}


@permits.rule("class_mismatch", {}, N_("%(n)s valid permit(s) of another management class than the enterprise's"))
def _class_mismatch(p, ctx):
    return {"n": Count("permits", filter=_valid_on(ctx.today) & ~Q(permits__management_class=F("management_class")))}


outlets = Family("outlets", lambda ctx, days: Outlet.objects.all(), "enterprise_id")


@outlets.rule("no_facility", {"kind": (str, "")},
              N_("%(n)s limited outlet(s) without a registered treatment facility"))
def _no_facility(p, ctx):
    limited = Exists(PermitLimit.objects.filter(outlet=OuterRef("pk")))
    treated = Exists(TreatmentFacility.objects.filter(outlet=OuterRef("pk")))
    q = Q(limited) & ~Q(treated)
    return {"n": Count("id", filter=q & Q(kind=p["kind"]) if p["kind"] else q)}


duties = Family("duties", lambda ctx, days: MonitoringDuty.objects.all(), "permit__enterprise_id")


@duties.rule("online_not_installed", {"medium": (str, "")},
             N_("%(n)s outlet(s) with an online monitoring duty but no online monitoring installed"))
def _online_not_installed(p, ctx):
    q = Q(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=False)
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return {"n": Count("outlet", distinct=True, filter=q)}


@duties.rule("no_device", {"medium": (str, "")},
             N_("%(n)s online-monitored outlet(s) with an online duty but no active monitoring device registered"))
def _no_device(p, ctx):
    from monitoring.models import Device

    active = Exists(Device.objects.filter(outlet=OuterRef("outlet"), is_active=True))
    q = Q(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=True) & ~Q(active)
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return {"n": Count("outlet", distinct=True, filter=q)}
