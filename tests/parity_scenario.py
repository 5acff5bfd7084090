"""One ingestion scenario run on both database dialects (tests/test_dialect_parity.py): the same HJ 212
frames into an empty database, then everything stored, in a form that compares across dialects."""
import datetime as dt

from monitoring.models import Aggregate, Reading
from monitoring.services.ingest import forget_pollutants, ingest_frames
from tests import factories
from tests.monitoring import ingest_support as support

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=support.TZ)


def scenario_frames(mn: str) -> list:
    """Real-time and minute data over 70 minutes with flags and a resent packet, plus one bad CRC."""
    raw = []
    for minute in range(0, 70, 2):
        at = T0 + dt.timedelta(minutes=minute)
        flag = "M" if minute == 20 else "N"
        raw.append(support.data_frame(mn, at, {"w01018": {"Rtd": 40 + minute * 0.75, "Flag": flag},
                                               "w21003": {"Rtd": 3.2 + (minute % 7) * 0.1, "Flag": "N"}},
                                      qn=f"{at:%Y%m%d%H%M%S}001"))
    for minute in range(0, 60, 10):
        at = T0 + dt.timedelta(minutes=minute)
        raw.append(support.data_frame(mn, at, {"w01018": {"Avg": 50 + minute, "Min": 40 + minute, "Max": 60 + minute,
                                                          "Flag": "N"}}, cn="2051", qn=f"{at:%Y%m%d%H%M%S}002"))
    raw.append(raw[3])  # a resent packet: stored once
    bad = bytearray(raw[0])
    bad[-6:-2] = b"0000" if bad[-6:-2] != b"0000" else b"1111"  # wrong CRC: refused
    raw.append(bytes(bad))
    return support.frames(*raw)


def run() -> dict:
    forget_pollutants()
    outlet = factories.outlet(factories.permit(factories.enterprise()), limits={"w01018": 100, "w21003": 15})
    device = support.device(outlet, mn="33048300000000000000PAR1")
    outcomes = ingest_frames(scenario_frames(device.mn), now=T0 + dt.timedelta(hours=2))
    readings = [
        [r.pollutant.code, r.kind, r.observed_at.isoformat(), r.value, r.rtd, r.avg, r.min, r.max, r.flag]
        for r in Reading.objects.filter(device=device).select_related("pollutant")
        .order_by("observed_at", "pollutant__code", "kind")]
    aggregates = [
        [a.pollutant.code, a.period, a.start.isoformat(), a.count, a.valid_count, round(a.sum, 6),
         None if a.avg is None else round(a.avg, 6), a.min, a.max]
        for a in Aggregate.objects.filter(outlet=outlet).select_related("pollutant")
        .order_by("period", "start", "pollutant__code")]
    return {"outcomes": [[o.accepted, o.reason, o.readings, o.stored] for o in outcomes],
            "readings": readings, "aggregates": aggregates}
