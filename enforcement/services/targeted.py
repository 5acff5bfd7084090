"""Targeted inspections outside the draw: an alarm (a warning escalated), a public complaint naming an
enterprise or a self-check with a failed line adds an on-site inspection to the month's plan, with two
officers drawn as in the monthly draw. Run every 5 minutes by beat; each source is planned once."""
import datetime as dt
import random
import zlib

from django.db.models import Count, Q
from django.utils import timezone

from alerts.models import Alert
from dispatch.models import Complaint, LineResult, Round

from ..models import Mode, PlannedInspection
from .draw import _capacities, _previous_officers, plan_for_month

Reason = PlannedInspection.Reason


def targeted_sources(since: dt.datetime, until: dt.datetime) -> list[tuple[int, str, str]]:
    """(enterprise id, reason, source ref) of every alarm, complaint and failed self-check in the window."""
    alarms = Alert.objects.filter(is_alarm=True, escalated_at__gte=since, escalated_at__lt=until)
    complaints = Complaint.objects.filter(enterprise__isnull=False, created_at__gte=since, created_at__lt=until)
    failed = (Round.objects.filter(kind=Round.Kind.SELF_CHECK, submitted_at__gte=since, submitted_at__lt=until)
              .annotate(failed=Count("results", filter=Q(results__result=LineResult.Result.FAIL))).filter(failed__gt=0))
    return ([(e, Reason.WARNING, f"alert:{pk}") for pk, e in alarms.values_list("pk", "enterprise_id")]
            + [(e, Reason.COMPLAINT, f"complaint:{pk}") for pk, e in complaints.values_list("pk", "enterprise_id")]
            + [(e, Reason.SELF_CHECK, f"round:{pk}") for pk, e in failed.values_list("pk", "enterprise_id")])


def targeted_inspections_collect(*, now: dt.datetime) -> int:
    """Plan an on-site inspection for each new source of the current month; returns how many."""
    local = timezone.localtime(now)
    since = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    plan = plan_for_month(local.year, local.month)
    known = set(plan.items.exclude(reason=Reason.DRAW).values_list("source_ref", flat=True))
    new = sorted(s for s in targeted_sources(since, now + dt.timedelta(microseconds=1)) if s[2] not in known)
    if not new:
        return 0
    left = dict(_capacities(local.year, local.month))
    previous = _previous_officers(local.year, local.month + 1)  # the month's own items count as previous too
    rows = []
    for ent, reason, ref in new:
        rng = random.Random(zlib.crc32(f"{plan.pk}:{ref}".encode()))
        candidates = sorted(o for o, cap in left.items() if cap > 0 and o not in previous.get(ent, ()))
        if len(candidates) < 2:  # every officer is busy: staff it from everyone available
            candidates = sorted(o for o, cap in left.items() if cap > 0) or sorted(left)
        if len(candidates) < 2:
            continue  # fewer than two officers in the county: cannot be planned
        first, second = rng.sample(candidates, 2)
        left[first] -= 1
        left[second] -= 1
        rows.append(PlannedInspection(plan=plan, enterprise_id=ent, mode=Mode.ON_SITE, reason=reason,
                                      source_ref=ref, lead_officer_id=first, second_officer_id=second))
    return len(PlannedInspection.objects.bulk_create(rows, ignore_conflicts=True))
