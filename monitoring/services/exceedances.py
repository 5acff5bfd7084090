"""Recording violations: each completed averaging period whose average broke its permit limit becomes
one ``Exceedance`` (once, whatever the number of cycles that see it), linked to the early warning of
the same outlet and pollutant when one is open. Periods in which the outlet's instrument reported
maintenance or calibration are not violations."""
import datetime as dt

from .. import instrument_status
from ..limit_windows import Judgement
from ..models import Exceedance


def record_exceedances(judgement: Judgement, now: dt.datetime, alerts_by_key: dict) -> int:
    """Insert the exceedances of the judgement's completed periods not recorded yet; returns how many
    periods broke their limit (recorded before or now)."""
    broken = judgement.exceedances()
    muted_by_window = {(s.start, s.end): instrument_status.muted_outlets(
        instrument_status.instrument_states(s.start, s.end, {b.outlet_id for b in broken}))
        for s in broken}
    rows = []
    for state in broken:
        if state.outlet_id in muted_by_window[(state.start, state.end)]:
            continue
        alert = alerts_by_key.get((state.outlet_id, state.pollutant_id, "exceedance"))
        rows.append(Exceedance(outlet_id=state.outlet_id, enterprise_id=state.enterprise_id,
                               pollutant_id=state.pollutant_id, averaging_period=state.averaging_period,
                               start=state.start, end=state.end, value=state.value, limit_value=state.bound(),
                               lower_limit=state.lower, unit=state.unit[:16], valid_count=state.valid_count,
                               built_from=state.kind, alert=alert, recorded_at=now))
    Exceedance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)
