"""Reads for inspections: the evidence an officer reviews for an off-site inspection (latest readings
against the limits, recent warnings, device validity by the operators' records, execution reports,
self-checks, earlier inspections), the plan item it may fulfil, and the on-site records an enterprise
account answers for. Every query is bounded in time or in rows."""
import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alerts.models import Alert
from dispatch.models import LineResult, Round, SelfCheckNotice
from ecocode.selectors import outlet_status
from enterprises.models import ExecutionReport

from .models import DeviceCheck, Inspection, Mode, PlannedInspection
from .selectors import device_invalid_periods

EVIDENCE_DAYS = 90  # how far back the page looks
REPORT_DAYS = 455  # execution reports due in the last 15 months (the last annual one and its quarters)


def off_site_evidence(enterprise, now: dt.datetime) -> dict:
    """What the officer reviews, by kind of evidence (the lines of the off-site form)."""
    since = now - dt.timedelta(days=EVIDENCE_DAYS)
    reports_since = (now - dt.timedelta(days=REPORT_DAYS)).date()
    devices = DeviceCheck.objects.filter(enterprise=enterprise).values_list("device_id", flat=True)
    rounds = (Round.objects.filter(enterprise=enterprise, kind=Round.Kind.SELF_CHECK, submitted_at__gte=since)
              .annotate(failed=Count("results", filter=Q(results__result=LineResult.Result.FAIL)))
              .order_by("-submitted_at")[:6])
    failed_lines = (LineResult.objects.filter(round__in=[r.pk for r in rounds], result=LineResult.Result.FAIL)
                    .select_related("line", "work_order").order_by("round_id", "line__seq"))
    return {
        "since": since,
        "outlets": outlet_status(enterprise, now),
        "alerts": Alert.objects.filter(enterprise=enterprise, opened_at__gte=since, opened_at__lte=now)
        .select_related("outlet", "pollutant").order_by("-opened_at")[:20],
        "invalid_periods": [p for periods in device_invalid_periods(devices, since, now).values() for p in periods],
        "reports": ExecutionReport.objects.filter(permit__enterprise=enterprise, due_on__gte=reports_since)
        .order_by("-period_end")[:8],
        "notices": SelfCheckNotice.objects.filter(enterprise=enterprise, issued_at__gte=since)
        .order_by("-issued_at")[:6],
        "self_check_rounds": [(r, [f for f in failed_lines if f.round_id == r.pk]) for r in rounds],
        "inspections": Inspection.objects.filter(enterprise=enterprise, started_at__lte=now)
        .prefetch_related("officers")[:5],
    }


def open_off_site_item(enterprise, now: dt.datetime) -> PlannedInspection | None:
    """This month's planned off-site inspection of the enterprise not done yet, which a new off-site
    inspection fulfils."""
    local = timezone.localtime(now)
    return (PlannedInspection.objects.filter(enterprise=enterprise, mode=Mode.OFF_SITE, plan__year=local.year,
                                             plan__month=local.month, inspection__isnull=True)
            .order_by("pk").first())


def on_site_records_of(enterprise) -> QuerySet:
    """The enterprise's on-site records, the latest first, with their officers (its account's list)."""
    return (Inspection.objects.filter(enterprise=enterprise, mode=Mode.ON_SITE)
            .prefetch_related("officers").order_by("-started_at", "-id")[:100])
