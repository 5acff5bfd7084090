"""Violations judged again when their data change: an operator's record filed after an exceedance was
recorded (a failed comparison test, a fault filed late) makes some of its period's data invalid, and
monitoring counts the period's windows again (``monitoring.signals.windows_recounted``). Each standing
exceedance of the device's outlet in those spans is judged again on its recounted window, the way it was
first judged (``alerts.limit_windows``: the average; an instantaneous limit its extremes): still broken,
it stands with the new value; no valid data left, or within its limit, it is withdrawn with why. A
withdrawn exceedance is kept and counted by nothing (eco-code, reports); it is reinstated when the record
is removed and its data count again.
"""
import datetime as dt
from collections.abc import Sequence

from django.db.models import Q

from enterprises.models import AveragingPeriod
from monitoring.models import Aggregate

from ..limit_windows import WINDOW
from ..models import Exceedance


def _judged(exceedance: Exceedance, window: Aggregate | None) -> tuple[str, float | None]:
    """(why withdrawn or "", the value that stands) of ``exceedance`` on its recounted ``window``."""
    if window is None or not window.valid_count or window.avg is None:
        return Exceedance.Withdrawal.NO_VALID_DATA, None
    if exceedance.averaging_period == AveragingPeriod.INSTANT:
        high, low = window.max, window.min
    else:
        high = low = window.avg
    if high > exceedance.limit_value:
        return "", high
    if exceedance.lower_limit is not None and low < exceedance.lower_limit:
        return "", low
    return Exceedance.Withdrawal.WITHIN_LIMIT, None


def exceedances_rejudge(*, outlet_id: int, spans: Sequence[tuple[dt.datetime, dt.datetime]], now: dt.datetime
                        ) -> dict[str, int]:
    """Judge again the exceedances of ``outlet_id`` whose period overlaps ``spans``, withdrawn ones too (a
    record removed makes their data valid again); returns how many were withdrawn, reinstated and how many
    stand with a new value."""
    overlap = Q()
    for start, end in spans:
        overlap |= Q(start__lt=end, end__gt=start)
    rows = list(Exceedance.objects.filter(overlap, outlet_id=outlet_id))
    if not rows:
        return {"withdrawn": 0, "reinstated": 0, "updated": 0}
    windows = {(a.pollutant_id, a.period, a.start): a for a in Aggregate.objects.filter(
        outlet_id=outlet_id, pollutant_id__in={e.pollutant_id for e in rows},
        period__in={WINDOW[e.averaging_period] for e in rows}, start__in={e.start for e in rows})}
    withdrawn, reinstated, updated = [], [], []
    for exceedance in rows:
        window = windows.get((exceedance.pollutant_id, WINDOW[exceedance.averaging_period], exceedance.start))
        why, value = _judged(exceedance, window)
        if why:
            if exceedance.withdrawn_at is None:
                exceedance.withdrawn_at, exceedance.withdrawn_reason = now, why
                withdrawn.append(exceedance)
            continue
        if exceedance.withdrawn_at is not None:
            exceedance.withdrawn_at, exceedance.withdrawn_reason = None, ""
            reinstated.append(exceedance)
        elif (value, window.valid_count) == (exceedance.value, exceedance.valid_count):
            continue
        exceedance.value, exceedance.valid_count = value, window.valid_count
        updated.append(exceedance)
    Exceedance.objects.bulk_update(withdrawn + reinstated, ["withdrawn_at", "withdrawn_reason"])
    Exceedance.objects.bulk_update(updated, ["value", "valid_count"])
    return {"withdrawn": len(withdrawn), "reinstated": len(reinstated), "updated": len(updated) - len(reinstated)}


def on_windows_recounted(sender, *, device, spans, now, **kwargs) -> None:
    """Receiver of ``monitoring.signals.windows_recounted`` (connected in ``AlertsConfig.ready``)."""
    if device.outlet_id is not None:
        exceedances_rejudge(outlet_id=device.outlet_id, spans=spans, now=now)
