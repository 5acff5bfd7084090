"""What the instruments say about themselves: the working-state codes of the HJ 212-2017 table.

``i12001`` (analyser working state: 0 running, 1 maintenance, 2 fault, 3 calibration, 5 back-flush,
6 power fault, 7 measuring, 8 standardisation, 9 standby, 10 operation and maintenance), ``i12002``
(analyser–logger link: 1 broken), ``i12003`` (analyser alarm: 1 alarm) and ``i22001`` (data logger:
0 running, 1 stopped, 2 fault, 3 maintenance) arrive as readings like any code, as items of a data
packet or as the ``-Info`` items of a CN 3020 upload (``monitoring.hj212.device_infos``). A state
of maintenance or calibration mutes the limit rules of the outlet (its values are not emissions); a
fault or stop is a device problem of its own. The half-hour aggregates of the status codes pick the
few outlets whose readings are read (the big readings table is only looked at by outlet).
"""
import datetime as dt

from django.db.models import Q

from enterprises.models import Pollutant
from monitoring.hj212 import NORMAL_STATES
from monitoring.models import Aggregate, Reading

STATE_NAMES = {
    "i12001": {0: "运行", 1: "维护", 2: "故障", 3: "校准", 5: "反吹", 6: "电源故障", 7: "测量", 8: "标定", 9: "待机",
               10: "运维"},
    "i12002": {1: "分析仪通讯异常"},
    "i12003": {1: "分析仪报警"},
    "i22001": {0: "运行", 1: "停机", 2: "故障", 3: "维护"},
}
QUIET = NORMAL_STATES
MUTING = {"i12001": {1, 3, 5, 8, 10}, "i12002": set(), "i12003": set(), "i22001": {3}}
FAULT = {"i12001": {2, 6}, "i12002": {1}, "i12003": {1}, "i22001": {1, 2}}


def instrument_states(since: dt.datetime, until: dt.datetime, outlet_ids=None) -> dict[int, dict[str, set[int]]]:
    """outlet id → status code → the states other than running/measuring/standby reported in
    [``since``, ``until``]."""
    codes = dict(Pollutant.objects.filter(code__in=STATE_NAMES).values_list("pk", "code"))
    if not codes:
        return {}
    suspects = Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, outlet__isnull=False,
                                        pollutant_id__in=codes, start__gte=since - dt.timedelta(minutes=30),
                                        start__lte=until, valid_count__gt=0) \
        .filter(Q(min__gt=0) | Q(max__gt=0)).values("outlet_id")
    if outlet_ids is not None:
        suspects = suspects.filter(outlet_id__in=outlet_ids)
    out: dict[int, dict[str, set[int]]] = {}
    for outlet_id, pollutant_id, value in (Reading.objects.filter(outlet_id__in=suspects, pollutant_id__in=codes,
                                                                  observed_at__gte=since, observed_at__lte=until,
                                                                  flag="N", value__isnull=False)
                                           .values_list("outlet_id", "pollutant_id", "value").distinct()):
        code, state = codes[pollutant_id], int(round(value))
        if state not in QUIET[code]:
            out.setdefault(outlet_id, {}).setdefault(code, set()).add(state)
    return out


def muted_outlets(states: dict[int, dict[str, set[int]]]) -> set[int]:
    """Outlets whose instruments were in maintenance or calibration."""
    return {o for o, by_code in states.items() if any(by_code[c] & MUTING[c] for c in by_code)}


def describe(by_code: dict[str, set[int]]) -> list[str]:
    """The states in words, e.g. ``["校准"]``."""
    return sorted({STATE_NAMES[c].get(s, str(s)) for c, states in by_code.items() for s in states})
