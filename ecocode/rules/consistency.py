"""Report versus monitoring: the execution reports whose declared emissions (``ReportedEmission``, kg per
pollutant) differ from what the devices of the report's permit measured over the report's period by more
than a tolerance. Measured is the sum of the cumulative emissions (``-Cou``, kg) of the daily values
(CN 2031) where the devices sent them, else of the hourly ones (CN 2061).

Three queries whatever the number of reports, the same on PostgreSQL and on the embedded SQLite: the
declared emissions with their report's period and permit, the outlets of those permits, then the
readings' ``-Cou`` per outlet, pollutant, kind and local day over the span of those periods (the outlet
index bounds the scan); each report sums the days of its own period.
"""
import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.db.models.functions import TruncDate

from enterprises.models import Outlet
from monitoring.models import Reading

LOCAL = ZoneInfo("Asia/Shanghai")


def comparisons(enterprise_ids=None) -> list[tuple[int, int, float, float | None]]:
    """(report id, pollutant id, declared kg, measured kg or None) of every declared emission of a
    submitted report (of ``enterprise_ids``; None: all)."""
    from ..models import ReportedEmission

    declared = ReportedEmission.objects.filter(report__submitted_on__isnull=False)
    if enterprise_ids is not None:
        declared = declared.filter(report__permit__enterprise_id__in=enterprise_ids)
    rows = list(declared.values_list("report_id", "pollutant_id", "amount_kg", "report__permit_id",
                                     "report__period_start", "report__period_end"))
    if not rows:
        return []
    outlets = dict(Outlet.objects.filter(permit_id__in={r[3] for r in rows}).values_list("pk", "permit_id"))
    first, last = min(r[4] for r in rows), max(r[5] for r in rows)
    daily = defaultdict(dict)  # (permit, pollutant, kind) → {local day: kg}
    for outlet, pollutant, kind, day, kg in (
            Reading.objects.filter(outlet_id__in=outlets, pollutant_id__in={r[1] for r in rows}, kind__in=("day", "hour"),
                                   observed_at__gte=dt.datetime.combine(first, dt.time(), LOCAL),
                                   observed_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), LOCAL),
                                   cou__isnull=False)
            .annotate(day=TruncDate("observed_at", tzinfo=LOCAL)).values("outlet_id", "pollutant_id", "kind", "day")
            .annotate(kg=Sum("cou")).values_list("outlet_id", "pollutant_id", "kind", "day", "kg").order_by()):
        per_day = daily[(outlets[outlet], pollutant, kind)]
        per_day[day] = per_day.get(day, 0.0) + kg
    # Per series, its days in order and the running total, so a period's sum is two bisections.
    series = {}
    for key, per_day in daily.items():
        days = sorted(per_day)
        series[key] = (days, [0.0, *accumulate(per_day[d] for d in days)])

    def measured(permit, pollutant, kind, start, end):
        if (permit, pollutant, kind) not in series:
            return None
        days, totals = series[(permit, pollutant, kind)]
        lo, hi = bisect_left(days, start), bisect_right(days, end)
        return totals[hi] - totals[lo] if hi > lo else None

    out = []
    for report, pollutant, amount, permit, start, end in rows:
        kg = measured(permit, pollutant, "day", start, end)
        if kg is None:
            kg = measured(permit, pollutant, "hour", start, end)
        out.append((report, pollutant, float(amount), kg))
    return out


def inconsistent_reports(tolerance: float, enterprise_ids=None) -> list[int]:
    """The ids of the reports with a declared emission more than ``tolerance`` away from the measured one."""
    return sorted({report for report, _, declared, kg in comparisons(enterprise_ids)
                   if kg and kg > 0 and abs(declared - kg) > kg * tolerance})
