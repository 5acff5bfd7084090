"""What the instruments say about themselves: the working-state codes of the HJ 212-2017 table.

``i12001`` (analyser working state: 0 running, 1 maintenance, 2 fault, 3 calibration, 5 back-flush,
6 power fault, 7 measuring, 8 standardisation, 9 standby, 10 operation and maintenance), ``i12002``
(analyser–logger link: 1 broken), ``i12003`` (analyser alarm: 1 alarm) and ``i22001`` (data logger:
0 running, 1 stopped, 2 fault, 3 maintenance).

A state concerns what the packet says it concerns. The states of a CN 3020 upload that follow a
``PolId`` are one analyser's (``monitoring.InstrumentState``): they concern that pollutant's readings
only. States sent without naming the analyser (data items such as ``i12001-Rtd``, a 3020 upload without
``PolId``, the logger's own ``i22001``) are readings of the state code and concern the whole outlet.
A state of maintenance or calibration mutes the limit rules of what it concerns (its values are not
emissions); a fault or stop is a device problem of its own. The half-hour aggregates of the status codes
pick the few outlets whose readings are read (the big readings table is only looked at by outlet).
"""
import datetime as dt

from django.db.models import Q

from enterprises.models import Pollutant
from monitoring.hj212 import NORMAL_STATES
from monitoring.models import Aggregate, InstrumentState, Reading

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
WHOLE_OUTLET = None  # the scope of a state that names no analyser

# outlet id → scope (WHOLE_OUTLET, or the pollutant id of one analyser) → status code → states
States = dict[int, dict[int | None, dict[str, set[int]]]]


def instrument_states(since: dt.datetime, until: dt.datetime, outlet_ids=None) -> States:
    """The states other than running/measuring/standby reported in [``since``, ``until``], by outlet and
    by what they concern."""
    out: States = {}

    def add(outlet_id, scope, code, value):
        state = int(round(value))
        if state not in QUIET.get(code, ()):
            out.setdefault(outlet_id, {}).setdefault(scope, {}).setdefault(code, set()).add(state)

    analysers = InstrumentState.objects.filter(outlet__isnull=False, observed_at__gte=since, observed_at__lte=until)
    for code, normal in QUIET.items():
        analysers = analysers.exclude(code=code, state__in=normal)
    if outlet_ids is not None:
        analysers = analysers.filter(outlet_id__in=outlet_ids)
    for outlet_id, analyser_id, code, state in analysers.values_list("outlet_id", "analyser_id", "code", "state") \
            .distinct():
        add(outlet_id, analyser_id, code, state)

    codes = dict(Pollutant.objects.filter(code__in=STATE_NAMES).values_list("pk", "code"))
    if not codes:
        return out
    suspects = Aggregate.objects.filter(period=Aggregate.Period.HALF_HOUR, outlet__isnull=False,
                                        pollutant_id__in=codes, start__gte=since - dt.timedelta(minutes=30),
                                        start__lte=until, valid_count__gt=0) \
        .filter(Q(min__gt=0) | Q(max__gt=0)).values("outlet_id")
    if outlet_ids is not None:
        suspects = suspects.filter(outlet_id__in=outlet_ids)
    for outlet_id, pollutant_id, value in (Reading.objects.filter(outlet_id__in=suspects, pollutant_id__in=codes,
                                                                  observed_at__gte=since, observed_at__lte=until,
                                                                  flag="N", value__isnull=False)
                                           .values_list("outlet_id", "pollutant_id", "value").distinct()):
        add(outlet_id, WHOLE_OUTLET, codes[pollutant_id], value)
    return out


def merged(by_scope: dict[int | None, dict[str, set[int]]]) -> dict[str, set[int]]:
    """status code → states, whatever they concern."""
    codes: dict[str, set[int]] = {}
    for by_code in by_scope.values():
        for code, values in by_code.items():
            codes.setdefault(code, set()).update(values)
    return codes


def muted(states: States) -> dict[int, set[int | None]]:
    """outlet id → what its instruments in maintenance or calibration mute: pollutant ids of analysers,
    ``WHOLE_OUTLET`` for a state that names none."""
    out: dict[int, set[int | None]] = {}
    for outlet_id, by_scope in states.items():
        scopes = {scope for scope, by_code in by_scope.items() if any(by_code[c] & MUTING.get(c, set()) for c in by_code)}
        if scopes:
            out[outlet_id] = scopes
    return out


def covers(scopes, pollutant_id: int | None) -> bool:
    """Does a set of scopes (``muted``) concern this pollutant's readings?"""
    return bool(scopes) and (WHOLE_OUTLET in scopes or pollutant_id in scopes)


def describe(by_code: dict[str, set[int]]) -> list[str]:
    """The states in words, e.g. ``["校准"]``."""
    return sorted({STATE_NAMES[c].get(s, str(s)) for c, states in by_code.items() for s in states})
