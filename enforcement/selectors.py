"""Reads of ``enforcement``: the suggested penalty discretion, plans, the positive list, officers'
monthly statistics, the enterprise file and the compliance strips."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecocode.selectors import colours_of, consequences
from enterprises import jurisdiction
from enterprises.models import Role, User
from enterprises.models.enterprises import ManagementClass

from .models import Case, DiscretionArticle, Inspection, Mode

STANDARD_FACTOR = Decimal("1.00")


def suggested_discretion(enterprise, article: DiscretionArticle) -> dict:
    """The suggested fine: the base amount of the article × the penalty factor of the enterprise's
    current colour (1.00 while unscored), kept inside the article's range."""
    colour = colours_of([enterprise.pk]).get(enterprise.pk, "")
    band = consequences().get(colour) if colour else None
    factor = band.penalty_discretion_factor if band else STANDARD_FACTOR
    amount = (article.base_amount * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    amount = min(max(amount, article.min_amount), article.max_amount)
    return {"colour": colour, "factor": factor, "base": article.base_amount, "amount": amount}


# Officers' monthly statistics: the six columns of the reference table. Each column is one queryset
# definition, counted per officer for the table and filtered by officer for the drill-down.

STAT_COLUMNS = ("enterprises_inspected", "problems_found", "on_site_records", "case_leads", "cases_handled",
                "cases_penalised")
STAT_LABELS = {
    "enterprises_inspected": _("enterprises inspected"), "problems_found": _("problems found"),
    "on_site_records": _("on-site records made"), "case_leads": _("case leads collected"),
    "cases_handled": _("cases handled"), "cases_penalised": _("cases filed and penalised"),
}


def _inspections(start, end) -> QuerySet:
    return Inspection.objects.filter(started_at__gte=start, started_at__lt=end)


def _column(column: str, start, end) -> tuple[QuerySet, str, object]:
    """(queryset, path to the officer, aggregate) of one column for the month [start, end)."""
    if column in ("enterprises_inspected", "problems_found", "on_site_records"):
        qs = _inspections(start, end)
        agg = {"enterprises_inspected": Count("enterprise_id", distinct=True),
               "problems_found": Sum("problems_found"),
               "on_site_records": Count("pk", filter=Q(mode=Mode.ON_SITE))}[column]
        return qs, "officers", agg
    if column == "case_leads":
        return Case.objects.filter(lead_at__gte=start, lead_at__lt=end), "opened_by", Count("pk")
    if column == "cases_handled":
        qs = Case.objects.filter(filed_on__lt=end.date()).exclude(state=Case.State.DROPPED) \
            .filter(Q(executed_on=None) | Q(executed_on__gte=start.date()))
        return qs, "handlers", Count("pk", distinct=True)
    if column == "cases_penalised":
        qs = Case.objects.filter(decided_on__gte=start.date(), decided_on__lt=end.date())
        return qs, "handlers", Count("pk", distinct=True)
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
        qs, path, agg = _column(column, start, end)
        for officer, n in qs.order_by().values_list(path).annotate(n=agg).values_list(path, "n"):
            if officer is not None:
                counts.setdefault(officer, {})[column] = n or 0
    officers = User.objects.filter(Q(role=Role.ENFORCEMENT, is_active=True) | Q(pk__in=list(counts)))
    return [{"officer": o, **{c: counts.get(o.pk, {}).get(c, 0) for c in STAT_COLUMNS}}
            for o in officers.order_by("last_name", "first_name", "username")]


def officer_stat_rows(officer, year: int, month: int, column: str) -> QuerySet:
    """The inspections or cases behind one cell of the table."""
    start, end = month_bounds(year, month)
    qs, path, _agg = _column(column, start, end)
    qs = qs.filter(**{path: officer}).select_related("enterprise").distinct()
    if column == "problems_found":
        qs = qs.filter(problems_found__gt=0)
    elif column == "on_site_records":
        qs = qs.filter(mode=Mode.ON_SITE)
    return qs


def key_inspections_by_month(user, since, until) -> dict[dt.date, tuple[int, int]]:
    """Per month: (off-site, all) inspections of the key-management enterprises ``user`` may see."""
    rows = (jurisdiction.restrict(Inspection.objects.filter(enterprise__management_class=ManagementClass.KEY,
                                                            started_at__gte=since, started_at__lt=until), user)
            .annotate(m=TruncMonth("started_at")).values("m")
            .annotate(n=Count("pk"), off_site=Count("pk", filter=Q(mode=Mode.OFF_SITE))).order_by())
    return {timezone.localtime(r["m"]).date().replace(day=1) if isinstance(r["m"], dt.datetime) else r["m"]:
            (r["off_site"], r["n"]) for r in rows}
