"""Recording violations: each completed averaging period whose average broke its permit limit becomes
one ``Exceedance`` (once, whatever the number of cycles that see it), linked to the early warning of
the same outlet and pollutant when one is open. Periods in which the pollutant's analyser (or the
outlet's instruments as a whole) reported maintenance or calibration are not violations."""
import datetime as dt

from .. import instrument_status
from ..limit_windows import Judgement
from ..models import Exceedance


def record_exceedances(judgement: Judgement, now: dt.datetime, alerts_by_key: dict) -> int:
    """Insert the exceedances of the judgement's completed periods not recorded yet; returns how many
    periods broke their limit (recorded before or now)."""
    broken = judgement.exceedances()
    windows = {(s.start, s.end) for s in broken}  # at most one per averaging period
    muted_by_window = {(start, end): instrument_status.muted(instrument_status.instrument_states(
        start, end, {s.outlet_id for s in broken if (s.start, s.end) == (start, end)})) for start, end in windows}
    rows = []
    for state in broken:
        if instrument_status.covers(muted_by_window[(state.start, state.end)].get(state.outlet_id), state.pollutant_id):
            continue
        alert = alerts_by_key.get((state.outlet_id, state.pollutant_id, "exceedance"))
        rows.append(Exceedance(outlet_id=state.outlet_id, enterprise_id=state.enterprise_id,
                               pollutant_id=state.pollutant_id, averaging_period=state.averaging_period,
                               start=state.start, end=state.end, value=state.value, limit_value=state.bound(),
                               lower_limit=state.lower, unit=state.unit[:16], valid_count=state.valid_count,
                               built_from=state.kind, alert=alert, recorded_at=now))
    Exceedance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)
