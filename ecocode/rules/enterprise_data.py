"""Families over the enterprise's own permit data: execution reports (and the emissions they declare,
checked against the monitored cumulative emissions), permits, outlets and self-monitoring duties."""
import datetime as dt

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Value
from django.db.models.functions import Concat
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

from .base import Family, key_part

REPORT_PARAMS = {"kind": (str, ""), "window_days": (int, 365)}

reports = Family("reports", lambda ctx, days: ExecutionReport.objects.all(), "permit__enterprise_id",
                 record_type="report", record_at="due_on")


def _due_in_window(p, ctx) -> Q:
    q = Q(due_on__gte=ctx.days_ago(p["window_days"]), due_on__lte=ctx.today)
    return q & Q(kind=p["kind"]) if p["kind"] else q


def _submitted(ctx) -> Q:
    """Submitted by the scoring day (a run of a past month sees a report submitted later as not yet in)."""
    return Q(submitted_on__isnull=False, submitted_on__lte=ctx.today)


@reports.rule("late", {**REPORT_PARAMS, "min_days_late": (int, 1)},
              N_("%(n)s report(s) submitted %(min_days_late)s or more days after the due date "
              "(due in the last %(window_days)s days)"))
def _late(p, ctx):
    latest_on_time = ExpressionWrapper(F("due_on") + dt.timedelta(days=max(p["min_days_late"], 1) - 1),
                                       output_field=DateField())
    return reports.counted(_due_in_window(p, ctx) & _submitted(ctx) & Q(submitted_on__gt=latest_on_time))


@reports.rule("missing", {**REPORT_PARAMS, "grace_days": (int, 0)},
              N_("%(n)s report(s) not submitted more than %(grace_days)s days after the due date "
              "(due in the last %(window_days)s days)"))
def _missing(p, ctx):
    return reports.counted(_due_in_window(p, ctx) & ~_submitted(ctx) & Q(due_on__lt=ctx.days_ago(p["grace_days"])))


@reports.rule("incomplete", REPORT_PARAMS,
              N_("%(n)s submitted report(s) incomplete (due in the last %(window_days)s days)"))
def _incomplete(p, ctx):
    return reports.counted(_due_in_window(p, ctx) & _submitted(ctx) & Q(is_complete=False))


def _no_reported_emissions(ctx):
    from ..models import ReportedEmission

    if not ReportedEmission.objects.exists():
        return N_("no execution report declares its emissions (nothing to compare with the monitoring data)")
    return None


@reports.rule("inconsistent", {**REPORT_PARAMS, "tolerance": (float, 0.2)},
              N_("%(n)s submitted report(s) whose declared emissions differ by more than %(tolerance)s from the "
              "cumulative emissions the monitoring devices measured (due in the last %(window_days)s days)"),
              lacks_data=_no_reported_emissions)
def _inconsistent(p, ctx):
    off = ctx.once(("inconsistent_reports", p["tolerance"]), lambda: _inconsistent_ids(p["tolerance"], ctx))
    return reports.counted(_due_in_window(p, ctx) & _submitted(ctx) & Q(pk__in=off))


def _inconsistent_ids(tolerance: float, ctx) -> list[int]:
    """The ids of the inconsistent reports (of the run's enterprises), computed once per run, not per report
    row (``consistency.inconsistent_reports``: two grouped queries, on PostgreSQL and SQLite alike)."""
    from .consistency import inconsistent_reports

    return inconsistent_reports(tolerance, ctx.enterprise_ids)


permits = Family("permits", lambda ctx, days: Enterprise.objects.all(), "id",
                 record_type="permit", record_id="permits__id", record_at="permits__expires_on")
PERMIT_EPISODE = Concat(Value("permit:"), key_part("id"))


def _valid_on(day) -> Q:
    return Q(permits__status=Permit.Status.VALID, permits__valid_from__lte=day, permits__expires_on__gte=day)


@permits.rule("none_valid", {}, N_("no discharge permit valid today"),
              fact=lambda v, p, ctx: int(v["valid"] == 0))
def _none_valid(p, ctx):
    # The records: the enterprise's permits that are not valid today (none at all: its registry entry).
    return {"valid": Count("permits", filter=_valid_on(ctx.today)),
            "records": permits.counted(Q(permits__isnull=False) & ~_valid_on(ctx.today), ep=PERMIT_EPISODE)["records"]}


@permits.rule("expiring", {"days": (int, 90)}, N_("the permit expires on %(last_expiry)s, within %(days)s days"),
              fact=lambda v, p, ctx: int(v["last_expiry"] is not None
                                         and ctx.today <= v["last_expiry"] <= ctx.today + dt.timedelta(days=p["days"])))
def _expiring(p, ctx):
    soon = _valid_on(ctx.today) & Q(permits__expires_on__lte=ctx.today + dt.timedelta(days=p["days"]))
    return {"last_expiry": Max("permits__expires_on", filter=_valid_on(ctx.today)),
            "records": permits.counted(soon)["records"]}


@permits.rule("status", {"statuses": (list, ["suspended"])}, N_("%(n)s permit(s) in state %(statuses)s"))
def _status(p, ctx):
    return permits.counted(Q(permits__status__in=p["statuses"]), ep=PERMIT_EPISODE)


@permits.rule("class_mismatch", {}, N_("%(n)s valid permit(s) of another management class than the enterprise's"))
def _class_mismatch(p, ctx):
    return permits.counted(_valid_on(ctx.today) & ~Q(permits__management_class=F("management_class")))


outlets = Family("outlets", lambda ctx, days: Outlet.objects.all(), "enterprise_id", record_type="outlet")


@outlets.rule("no_facility", {"kind": (str, "")},
              N_("%(n)s limited outlet(s) without a registered treatment facility"))
def _no_facility(p, ctx):
    limited = Exists(PermitLimit.objects.filter(outlet=OuterRef("pk")))
    treated = Exists(TreatmentFacility.objects.filter(outlet=OuterRef("pk")))
    q = Q(limited) & ~Q(treated)
    return outlets.counted(q & Q(kind=p["kind"]) if p["kind"] else q)


duties = Family("duties", lambda ctx, days: MonitoringDuty.objects.all(), "permit__enterprise_id",
                record_type="outlet", record_id="outlet_id")


@duties.rule("online_not_installed", {"medium": (str, "")},
             N_("%(n)s outlet(s) with an online monitoring duty but no online monitoring installed"))
def _online_not_installed(p, ctx):
    q = Q(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=False)
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return duties.counted(q)


@duties.rule("no_device", {"medium": (str, "")},
             N_("%(n)s online-monitored outlet(s) with an online duty but no active monitoring device registered"))
def _no_device(p, ctx):
    from monitoring.models import Device

    active = Exists(Device.objects.filter(outlet=OuterRef("outlet"), is_active=True))
    q = Q(method=MonitoringDuty.Method.ONLINE, outlet__online_monitored=True) & ~Q(active)
    if p["medium"]:
        q &= Q(outlet__kind=p["medium"])
    return duties.counted(q)
