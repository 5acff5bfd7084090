"""Reads of ``enforcement``: the suggested penalty discretion, plans, the positive list, officers'
monthly statistics, the enterprise file and the compliance strips, joint inspections and their parts per
party, the validity periods of monitoring devices from the operators' records, the permits inspected against."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, Rule
from dispatch.models import Complaint, Round, SelfCheckNotice
from dispatch.selectors import visible_work_orders
from ecocode.selectors import colour_history, colours_of, consequences, outlet_status
from enterprises import jurisdiction
from enterprises.models import Enterprise, Permit, Role, User
from enterprises.models.enterprises import ManagementClass
from monitoring.models import InvalidPeriod
from waste.selectors import enterprise_transfers

from .models import Case, DeviceCheck, DiscretionArticle, Inspection, JointInspection, JointPart, Mode
from .models.device_checks import DEVICE_CHECK_SOURCE

STANDARD_FACTOR = Decimal("1.00")


def current_permits(enterprise_ids) -> dict[int, Permit]:
    """Each enterprise's valid permit of the latest ``valid_from`` (the one an on-site inspection checks
    against), by enterprise id, in one query."""
    permits = {}
    for permit in Permit.objects.filter(enterprise_id__in=enterprise_ids, status=Permit.Status.VALID) \
            .order_by("enterprise_id", "-valid_from"):
        permits.setdefault(permit.enterprise_id, permit)
    return permits


def suggested_discretion(enterprise, article: DiscretionArticle) -> dict:
    """The suggested fine: the base amount of the article × the penalty factor of the enterprise's
    current colour (1.00 while unscored), kept inside the article's range."""
    colour = colours_of([enterprise.pk]).get(enterprise.pk, "")
    band = consequences().get(colour) if colour else None
    factor = band.penalty_discretion_factor if band else STANDARD_FACTOR
    amount = (article.base_amount * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    amount = min(max(amount, article.min_amount), article.max_amount)
    return {"colour": colour, "factor": factor, "base": article.base_amount, "amount": amount}


# Officers' monthly statistics: the six columns of the reference table. Each column is a list of
# sources (queryset, path to the officer, aggregate), counted per officer and summed for the table, and
# filtered by officer for the drill-down. A joint inspection counts for the bureau's officer who signed the
# bureau's part, in the month he signed it: it is an on-site inspection of the enterprise, the bureau's
# part its on-site record, its problems the bureau's findings (the township teams' and neighbouring
# counties' parts are their own, not the bureau's officers').

STAT_COLUMNS = ("enterprises_inspected", "problems_found", "on_site_records", "case_leads", "cases_handled",
                "cases_penalised")
STAT_LABELS = {
    "enterprises_inspected": _("enterprises inspected"), "problems_found": _("problems found"),
    "on_site_records": _("on-site records made"), "case_leads": _("case leads collected"),
    "cases_handled": _("cases handled"), "cases_penalised": _("cases filed and penalised"),
}
INSPECTION_COLUMNS = STAT_COLUMNS[:3]


def _inspections(start, end) -> QuerySet:
    return Inspection.objects.filter(started_at__gte=start, started_at__lt=end)


def bureau_joint_parts(start, end) -> QuerySet:
    """The bureau's parts of joint inspections signed in [start, end): joint inspections done."""
    return JointPart.objects.filter(party=JointPart.Party.BUREAU, signed_at__gte=start, signed_at__lt=end)


def _column(column: str, start, end) -> list[tuple[QuerySet, str, object]]:
    """The sources of one column for the month [start, end): (queryset, path to the officer, aggregate)."""
    if column in INSPECTION_COLUMNS:
        inspections, joints = _inspections(start, end), bureau_joint_parts(start, end)
        if column == "enterprises_inspected":  # a joint inspection adds an enterprise not otherwise inspected
            joints = joints.exclude(Exists(inspections.filter(officers=OuterRef("signed_by"),
                                                              enterprise=OuterRef("joint__enterprise"))))
            return [(inspections, "officers", Count("enterprise_id", distinct=True)),
                    (joints, "signed_by", Count("joint__enterprise_id", distinct=True))]
        if column == "problems_found":
            return [(inspections, "officers", Sum("problems_found")), (joints, "signed_by", Sum("problems_found"))]
        return [(inspections, "officers", Count("pk", filter=Q(mode=Mode.ON_SITE))), (joints, "signed_by", Count("pk"))]
    if column == "case_leads":
        return [(Case.objects.filter(lead_at__gte=start, lead_at__lt=end), "opened_by", Count("pk"))]
    if column == "cases_handled":
        qs = Case.objects.filter(filed_on__lt=end.date()).exclude(state=Case.State.DROPPED) \
            .filter(Q(executed_on=None) | Q(executed_on__gte=start.date()))
        return [(qs, "handlers", Count("pk", distinct=True))]
    if column == "cases_penalised":
        qs = Case.objects.filter(decided_on__gte=start.date(), decided_on__lt=end.date())
        return [(qs, "handlers", Count("pk", distinct=True))]
    raise KeyError(column)


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, month, 1))
    return start, timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))


def officer_monthly_stats(year: int, month: int) -> list[dict]:
    """One row per enforcement officer (and anyone else who counted) with the six columns; one grouped
    query per column."""
    start, end = month_bounds(year, month)
    counts = {}
    for column in STAT_COLUMNS:
        for qs, path, agg in _column(column, start, end):
            for officer, n in qs.order_by().values_list(path).annotate(n=agg).values_list(path, "n"):
                if officer is not None:
                    row = counts.setdefault(officer, {})
                    row[column] = row.get(column, 0) + (n or 0)
    officers = User.objects.filter(Q(role=Role.ENFORCEMENT, is_active=True) | Q(pk__in=list(counts)))
    return [{"officer": o, **{c: counts.get(o.pk, {}).get(c, 0) for c in STAT_COLUMNS}}
            for o in officers.order_by("last_name", "first_name", "username")]


def officer_stat_rows(officer, year: int, month: int, column: str) -> QuerySet:
    """The inspections or cases behind one cell of the table (its joint inspections:
    ``officer_stat_joint_parts``)."""
    start, end = month_bounds(year, month)
    qs, path, _agg = _column(column, start, end)[0]
    qs = qs.filter(**{path: officer}).select_related("enterprise").distinct()
    if column == "problems_found":
        qs = qs.filter(problems_found__gt=0)
    elif column == "on_site_records":
        qs = qs.filter(mode=Mode.ON_SITE)
    return qs


def officer_stat_joint_parts(officer, year: int, month: int, column: str) -> QuerySet:
    """The bureau's parts of the joint inspections behind one cell of the table (none for case columns)."""
    if column not in INSPECTION_COLUMNS:
        return JointPart.objects.none()
    start, end = month_bounds(year, month)
    parts = bureau_joint_parts(start, end).filter(signed_by=officer).select_related("joint__enterprise")
    if column == "problems_found":
        parts = parts.filter(problems_found__gt=0)
    return parts.order_by("signed_at", "pk")


def _month_key(m) -> dt.date:
    return timezone.localtime(m).date().replace(day=1) if isinstance(m, dt.datetime) else m


def key_inspections_by_month(user, since, until) -> dict[dt.date, tuple[int, int]]:
    """Per month: (off-site, all) inspections of the key-management enterprises ``user`` may see; a
    joint inspection done (its bureau's part signed) is an on-site one."""
    key = Q(enterprise__management_class=ManagementClass.KEY)
    rows = (jurisdiction.restrict(Inspection.objects.filter(key, started_at__gte=since, started_at__lt=until), user)
            .annotate(m=TruncMonth("started_at")).values("m")
            .annotate(n=Count("pk"), off_site=Count("pk", filter=Q(mode=Mode.OFF_SITE))).order_by())
    out = {_month_key(r["m"]): (r["off_site"], r["n"]) for r in rows}
    joints = (jurisdiction.restrict(bureau_joint_parts(since, until), user, "joint__enterprise")
              .filter(joint__enterprise__management_class=ManagementClass.KEY)
              .annotate(m=TruncMonth("signed_at")).values("m").annotate(n=Count("pk")).order_by())
    for r in joints:
        off_site, n = out.get(_month_key(r["m"]), (0, 0))
        out[_month_key(r["m"])] = (off_site, n + r["n"])
    return out


# The compliance strip (like EPA ECHO's): one cell per month and per quarter, the worst that happened:
# a case (lead or later, not dropped) > a violation (an exceedance warning, or problems found by an
# inspection or by any party of a joint inspection, in the month its part was signed) > a warning (any
# other warning) > nothing.

NONE, WARNING, VIOLATION, CASE = "none", "warning", "violation", "case"
STRIP_LEVELS = (NONE, WARNING, VIOLATION, CASE)
STRIP_LABELS = {NONE: _("no violation"), WARNING: _("warning"), VIOLATION: _("violation"), CASE: _("case")}


def strip_months(now: dt.datetime, n: int = 12) -> list[dt.date]:
    """First days of the ``n`` months up to the month of ``now``, oldest first."""
    this = timezone.localtime(now).date().replace(day=1)
    return [dt.date(this.year + (this.month - 1 - i) // 12, (this.month - 1 - i) % 12 + 1, 1)
            for i in range(n - 1, -1, -1)]


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def compliance_strips(enterprise_ids, now: dt.datetime) -> dict[int, dict]:
    """For each enterprise id: ``{"months": [12 levels], "quarters": [12 levels]}``, oldest first. Four
    grouped queries over the 36 months, whatever the number of enterprises."""
    months = strip_months(now, 12)
    quarters = sorted({_quarter(m) for m in strip_months(now, 36)})[-12:]
    since = timezone.make_aware(dt.datetime.combine(quarters[0], dt.time()))
    ids = list(enterprise_ids)
    worst: dict[tuple[int, dt.date], int] = {}

    def mark(rows, level_of):
        for ent, month, flag in rows:
            key = (ent, _month_key(month))
            worst[key] = max(worst.get(key, 0), level_of(flag))

    alerts = (Alert.objects.filter(enterprise_id__in=ids, opened_at__gte=since)
              .annotate(m=TruncMonth("opened_at")).values_list("enterprise_id", "m", "rule").distinct().order_by())
    mark(alerts, lambda rule: 2 if rule == Rule.EXCEEDANCE else 1)
    problems = (Inspection.objects.filter(enterprise_id__in=ids, started_at__gte=since, problems_found__gt=0)
                .annotate(m=TruncMonth("started_at")).values_list("enterprise_id", "m", "mode").distinct().order_by())
    mark(problems, lambda _mode: 2)
    joint = (JointPart.objects.filter(joint__enterprise_id__in=ids, signed_at__gte=since, problems_found__gt=0)
             .annotate(m=TruncMonth("signed_at")).values_list("joint__enterprise_id", "m", "party").distinct()
             .order_by())
    mark(joint, lambda _party: 2)
    cases = (Case.objects.filter(enterprise_id__in=ids, lead_at__gte=since).exclude(state=Case.State.DROPPED)
             .annotate(m=TruncMonth("lead_at")).values_list("enterprise_id", "m", "state").distinct().order_by())
    mark(cases, lambda _state: 3)
    by_quarter: dict[tuple[int, dt.date], int] = {}
    for (ent, month), level in worst.items():
        key = (ent, _quarter(month))
        by_quarter[key] = max(by_quarter.get(key, 0), level)
    return {ent: {"months": [STRIP_LEVELS[worst.get((ent, m), 0)] for m in months],
                  "quarters": [STRIP_LEVELS[by_quarter.get((ent, q), 0)] for q in quarters]} for ent in ids}


def strip_periods(now: dt.datetime) -> dict[str, list[str]]:
    """Column labels of the strips: ``2026-03`` for months, ``2026Q1`` for quarters."""
    quarters = sorted({_quarter(m) for m in strip_months(now, 36)})[-12:]
    return {"months": [f"{m:%Y-%m}" for m in strip_months(now, 12)],
            "quarters": [f"{q.year}Q{(q.month - 1) // 3 + 1}" for q in quarters]}


def enterprise_file(enterprise, user, now: dt.datetime) -> dict:
    """Everything of one enterprise for its file (一企一档); the caller has checked that ``user`` may see
    the enterprise. Complaints come without the complainant's contact; joint inspections only those
    ``user`` takes part in, each with the parts he may see."""
    joints = list(joint_inspections_for(user).filter(enterprise=enterprise).prefetch_related("parts__township")[:20])
    parts = set(joint_parts_visible(user).filter(joint__in=joints).values_list("pk", flat=True))
    return {
        "permits": enterprise.permits.order_by("-valid_from"),
        "outlets": outlet_status(enterprise, now),
        "colour": colours_of([enterprise.pk]).get(enterprise.pk, ""),
        "colour_history": colour_history(enterprise).select_related("score")[:20],
        "alerts": Alert.objects.filter(enterprise=enterprise).select_related("outlet", "pollutant")
        .order_by("-opened_at")[:20],
        "work_orders": visible_work_orders(user).filter(enterprise=enterprise).order_by("-opened_at")[:20],
        "inspections": Inspection.objects.filter(enterprise=enterprise).prefetch_related("officers")[:20],
        "joint_inspections": [(j, [p for p in j.parts.all() if p.pk in parts]) for j in joints],
        "cases": Case.objects.filter(enterprise=enterprise).select_related("article")[:20],
        "complaints": Complaint.objects.filter(enterprise=enterprise).only("created_at", "channel", "text")
        .order_by("-created_at")[:20],
        "self_checks": SelfCheckNotice.objects.filter(enterprise=enterprise).order_by("-issued_at")[:12],
        "self_check_rounds": Round.objects.filter(enterprise=enterprise, kind=Round.Kind.SELF_CHECK)
        .order_by("-submitted_at")[:12],
        "positive_list": enterprise.positive_list_entries.all()[:5],
        "device_checks": DeviceCheck.objects.filter(enterprise=enterprise).select_related("device")[:20],
        "invalid_periods": [p for periods in device_invalid_periods(
            DeviceCheck.objects.filter(enterprise=enterprise).values_list("device_id", flat=True),
            now - dt.timedelta(days=90), now).values() for p in periods],
        "strip": compliance_strips([enterprise.pk], now)[enterprise.pk],
        "periods": strip_periods(now),
        "transfers": enterprise_transfers(enterprise, user),
    }


def subsidy_eligible(now: dt.datetime) -> list[dict]:
    """Operating enterprises whose colour earns green subsidies and that had no penalty decision in the
    last 12 months: the list for the finance office."""
    eligible = [c for c, band in consequences().items() if band.green_subsidy_eligible]
    penalised = Case.objects.filter(decided_on__gte=(now - dt.timedelta(days=365)).date()).values("enterprise_id")
    return list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING, eco_code__colour__in=eligible)
                .exclude(pk__in=penalised).order_by("township__name", "name")
                .values("credit_code", "name", "township__name", "eco_code__colour", "eco_code__score"))


def joint_inspections_for(user) -> QuerySet:
    """Joint inspections ``user`` takes part in: all of their jurisdiction for enforcement staff, those
    inviting his township's team for a township officer, none for anyone else."""
    qs = JointInspection.objects.select_related("enterprise__township")
    if user.is_authenticated and (jurisdiction.is_bureau(user) or user.role == Role.ENFORCEMENT):
        return jurisdiction.restrict(qs, user)
    if user.is_authenticated and user.role == Role.TOWNSHIP and user.township_id:
        return qs.filter(parts__party=JointPart.Party.TOWNSHIP, parts__township_id=user.township_id).distinct()
    return qs.none()


def joint_parts_visible(user) -> QuerySet:
    """The parts of joint inspections ``user`` sees: every part of them for enforcement staff, his own
    team's part for a township officer."""
    parts = JointPart.objects.filter(joint__in=joint_inspections_for(user)).select_related("township", "signed_by")
    if jurisdiction.is_bureau(user) or user.role == Role.ENFORCEMENT:
        return parts
    return parts.filter(party=JointPart.Party.TOWNSHIP, township_id=user.township_id)


def joint_parts_for(joint: JointInspection, user) -> QuerySet:
    return joint_parts_visible(user).filter(joint=joint).order_by("id")


def device_invalid_periods(device_ids, since: dt.datetime, until: dt.datetime) -> dict[int, list[dict]]:
    """For each device: the periods within [since, until) its data are invalid by the operators' records, as
    monitoring honours them (``monitoring.InvalidPeriod``, kept by ``services.device_checks``), oldest first;
    open periods run to ``until``. Each period names the record that opened it."""
    periods = list(InvalidPeriod.objects.filter(device_id__in=device_ids, source=DEVICE_CHECK_SOURCE,
                                                starts_at__lt=until)
                   .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=since)).order_by("device_id", "starts_at"))
    checks = DeviceCheck.objects.select_related("device").in_bulk([p.source_id for p in periods])
    out: dict[int, list[dict]] = {}
    for period in periods:
        out.setdefault(period.device_id, []).append({
            "start": max(period.starts_at, since), "end": min(period.ends_at or until, until),
            "check": checks[period.source_id], "open": period.ends_at is None})
    return out
