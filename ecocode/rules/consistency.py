"""Report versus monitoring: the execution reports whose declared emissions (``ReportedEmission``, kg per
pollutant) differ from what the devices of the report's permit measured over the report's period by more
than a tolerance. Measured is the sum of the cumulative emissions (``-Cou``, kg) of the daily values
(CN 2031) where the devices sent them, else of the hourly ones (CN 2061).

One query whatever the number of reports, the same on PostgreSQL and on the embedded SQLite: each
declared emission with the sum of its readings' ``-Cou`` over its report's period (two correlated
subqueries on the readings' outlet index; the hourly one runs only where no daily value came). Reading
the readings per outlet and day into Python to sum them there took twice as long.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import DateTimeField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, TruncDate

from monitoring.models import Reading

LOCAL = ZoneInfo("Asia/Shanghai")


def _measured(kind: str) -> Subquery:
    """The ``-Cou`` (kg) of ``kind`` the outlets of a declared emission's permit sent for its pollutant over the
    local days of its report's period; NULL when they sent none. The outlet index bounds the scan by the
    period widened by a day in UTC; the local days are then taken exactly."""
    start, end = OuterRef("report__period_start"), OuterRef("report__period_end")
    readings = (Reading.objects.filter(outlet__permit_id=OuterRef("report__permit_id"), pollutant_id=OuterRef("pollutant_id"),
                                       kind=kind, cou__isnull=False,
                                       observed_at__gte=Cast(start, DateTimeField()) - dt.timedelta(days=1),
                                       observed_at__lt=Cast(end, DateTimeField()) + dt.timedelta(days=2))
                .annotate(day=TruncDate("observed_at", tzinfo=LOCAL)).filter(day__gte=start, day__lte=end)
                .order_by().values("pollutant_id").annotate(kg=Sum("cou")).values("kg"))
    return Subquery(readings)


def comparisons(enterprise_ids=None) -> list[tuple[int, int, float, float | None]]:
    """(report id, pollutant id, declared kg, measured kg or None) of every declared emission of a
    submitted report (of ``enterprise_ids``; None: all): the daily values' sum, else the hourly ones'."""
    from ..models import ReportedEmission

    declared = ReportedEmission.objects.filter(report__submitted_on__isnull=False)
    if enterprise_ids is not None:
        declared = declared.filter(report__permit__enterprise_id__in=enterprise_ids)
    return [(report, pollutant, float(amount), kg) for report, pollutant, amount, kg in declared.annotate(
        kg=Coalesce(_measured("day"), _measured("hour"))).values_list("report_id", "pollutant_id", "amount_kg", "kg")]


def inconsistent_reports(tolerance: float, enterprise_ids=None) -> list[int]:
    """The ids of the reports with a declared emission more than ``tolerance`` away from the measured one."""
    return sorted({report for report, _, declared, kg in comparisons(enterprise_ids)
                   if kg and kg > 0 and abs(declared - kg) > kg * tolerance})
