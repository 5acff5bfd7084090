"""Self-assessment: the obligations of the enterprise's permit for a period (the checklist lines of
``dispatch.checklists.permit_lines`` plus the execution reports due in the period), each with the
platform's own view, and the enterprise's declarations saved beside it.

The platform's view of a line, from a handful of grouped queries over the period:

* ``limit:``: kept unless an exceedance warning of that outlet and pollutant was opened;
* ``outlet:`` and online ``duty:``: kept unless a missing-data or device warning of that outlet was opened;
* ``report:``: kept when the execution report was submitted by its due date;
* any line: not kept when a township patrol or enforcement inspection failed the same line;
* otherwise no view (empty).
"""
import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from alerts.models import Alert, Rule
from core import clock
from dispatch.models import LineResult, Round
from dispatch.services.checklists import permit_lines
from enterprises.models import ExecutionReport, MonitoringDuty, Permit, PermitLimit

from .. import access
from ..models import AssessmentLine, SelfAssessment
from .errors import OutreachError
from .periods import period_bounds


def current_permit(enterprise) -> Permit | None:
    return enterprise.permits.filter(status=Permit.Status.VALID).order_by("-issued_on").first() or \
        enterprise.permits.order_by("-issued_on").first()


def obligations(enterprise, start: dt.date, end: dt.date) -> list[dict]:
    """The lines to declare on for ``[start, end]``, each with ``platform_ok`` and ``platform_reason``."""
    permit = current_permit(enterprise)
    if permit is None:
        return []
    lines = permit_lines(permit)
    for report in permit.reports.filter(due_on__gte=start, due_on__lte=end).order_by("due_on"):
        lines.append({"category": "reporting", "ref": f"report:{report.pk}",
                      "title": _("%(kind)s execution report %(start)s–%(end)s submitted by %(due)s") % {
                          "kind": report.get_kind_display(), "start": report.period_start,
                          "end": report.period_end, "due": report.due_on},
                      "requirement": ""})
    _platform_view(enterprise, permit, lines, start, end)
    return lines


def _platform_view(enterprise, permit, lines, start, end) -> None:
    since, until = period_bounds(start, end)
    alerts = Alert.objects.filter(enterprise=enterprise, opened_at__gte=since, opened_at__lt=until)
    exceed = {(row["outlet_id"], row["pollutant_id"]): row["n"] for row in alerts.filter(rule=Rule.EXCEEDANCE)
              .values("outlet_id", "pollutant_id").annotate(n=Count("id"))}
    outage = {row["outlet_id"]: row["n"] for row in alerts.filter(rule__in=[Rule.MISSING_DATA, Rule.DEVICE_FLAG])
              .values("outlet_id").annotate(n=Count("id"))}
    online = set(permit.outlets.filter(online_monitored=True).values_list("pk", flat=True))
    limits = {lim["pk"]: lim for lim in PermitLimit.objects.filter(outlet__permit=permit)
              .values("pk", "outlet_id", "pollutant_id")}
    duties = {d["pk"]: d for d in MonitoringDuty.objects.filter(permit=permit).values("pk", "outlet_id", "method")}
    reports = {r["pk"]: r for r in ExecutionReport.objects.filter(permit=permit).values("pk", "submitted_on",
                                                                                       "due_on")}
    checks = defaultdict(lambda: {"fail": 0, "pass": 0})
    for row in (LineResult.objects.filter(round__enterprise=enterprise, round__submitted_at__gte=since,
                                          round__submitted_at__lt=until,
                                          round__kind__in=[Round.Kind.PATROL, Round.Kind.INSPECTION])
                .values("line__ref").annotate(fail=Count("id", filter=Q(result="fail")),
                                              passed=Count("id", filter=Q(result="pass")))):
        checks[row["line__ref"]] = {"fail": row["fail"], "pass": row["passed"]}
    for line in lines:
        kind, _sep, pk = line["ref"].partition(":")
        pk = int(pk)
        ok, reason = None, ""
        if kind == "limit" and pk in limits:
            n = exceed.get((limits[pk]["outlet_id"], limits[pk]["pollutant_id"]), 0)
            if n:
                ok, reason = False, _("%(n)d exceedance warnings in the period") % {"n": n}
            elif limits[pk]["outlet_id"] in online:
                ok = True
        elif kind in ("outlet", "duty"):
            outlet_id = pk if kind == "outlet" else duties.get(pk, {}).get("outlet_id")
            monitored = outlet_id in online and (kind == "outlet" or duties[pk]["method"] == "online")
            if monitored and outage.get(outlet_id):
                ok, reason = False, _("%(n)d missing-data or device warnings in the period") % {
                    "n": outage[outlet_id]}
            elif monitored:
                ok = True
        elif kind == "report" and pk in reports:
            report = reports[pk]
            ok = report["submitted_on"] is not None and report["submitted_on"] <= report["due_on"]
            reason = "" if ok else (_("submitted late") if report["submitted_on"] else _("not submitted"))
        found = checks.get(line["ref"])
        if found and found["fail"]:
            ok, reason = False, "；".join(filter(None, [reason, _("failed at %(n)d on-site checks") % {
                "n": found["fail"]}]))
        elif found and found["pass"] and ok is None:
            ok = True
        line["platform_ok"], line["platform_reason"] = ok, reason


def assessment_submit(*, user, start: dt.date, end: dt.date, declarations: dict) -> SelfAssessment:
    """Save the enterprise's declarations ({ref: {"ok": bool, "note": str}}) for the period.
    Every line must be declared on."""
    if not access.is_enterprise(user):
        raise OutreachError(_("Only an enterprise account fills its self-assessment."), 403)
    if end < start or end > clock.now().date() + dt.timedelta(days=366):
        raise OutreachError(_("Choose a valid period."))
    enterprise = user.enterprise
    lines = obligations(enterprise, start, end)
    if not lines:
        raise OutreachError(_("Your enterprise has no permit to assess."), 409)
    missing = [line["title"] for line in lines if line["ref"] not in declarations]
    if missing:
        raise OutreachError(_("Declare every obligation; missing: %(titles)s") % {"titles": "、".join(missing[:3])})
    rows = []
    for seq, line in enumerate(lines, 1):
        answer = declarations[line["ref"]]
        rows.append(AssessmentLine(seq=seq, ref=line["ref"], category=line["category"], title=line["title"][:300],
                                   declared_ok=bool(answer.get("ok")), note=(answer.get("note") or "").strip(),
                                   platform_ok=line["platform_ok"], platform_reason=line["platform_reason"][:300]))
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                enterprise=enterprise, permit=current_permit(enterprise), period_start=start, period_end=end,
                submitted_by=user, submitted_at=clock.now(), differences=sum(row.differs for row in rows))
            for row in rows:
                row.assessment = assessment
            AssessmentLine.objects.bulk_create(rows)
    except IntegrityError:
        raise OutreachError(_("A self-assessment for this period was already submitted."), 409) from None
    return assessment
