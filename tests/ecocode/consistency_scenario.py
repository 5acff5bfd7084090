"""Declared emissions against the devices' ``-Cou``, on either dialect (tests/ecocode/test_consistency_portable.py):
a plant whose daily values over a quarter are summed by local day (the values stamped at the local midnight
that opens the quarter counted, those of the day before not), one with hourly values only, and a report no
device measured."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from core import clock
from ecocode.models import ReportedEmission
from ecocode.rules.consistency import comparisons, inconsistent_reports
from enterprises.models import Pollutant
from monitoring.hj212 import ParsedReading
from monitoring.models import Device
from monitoring.services.ingest import Unit, store
from tests import factories as f
from tests.ecocode.helpers import report

LOCAL = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=LOCAL)


def _plant(mn: str, kind: str, times, kg: float):
    """A permit whose outlet's device sent ``kg`` of COD (``-Cou``) of ``kind`` at each of ``times``."""
    perm = f.permit(f.enterprise())
    out = f.outlet(perm, "DW001", "water", {"w01018": 100})
    cod = Pollutant.objects.get(code="w01018")
    device = Device.objects.create(mn=mn, outlet=out, last_seen_at=NOW)
    store([Unit(device=device, readings=[(cod.pk, ParsedReading(code=cod.code, kind=kind, observed_at=at, avg=50.0,
                                                                 cou=kg)) for at in times])], [], now=NOW)
    return perm, cod


def _declared(perm, cod, start: dt.date, end: dt.date, kg: str):
    rep = report(perm, "quarterly", start, end + dt.timedelta(days=15), end + dt.timedelta(days=10))
    rep.period_end = end
    rep.save()
    ReportedEmission.objects.create(report=rep, pollutant=cod, amount_kg=Decimal(kg))
    return rep.pk


def run() -> dict:
    with clock.frozen(NOW):
        midnights = [dt.datetime(2025, 12, 31, tzinfo=LOCAL) + dt.timedelta(days=d) for d in range(92)]
        perm, cod = _plant("MN-COU-DAY", "day", midnights, 10.0)        # 31 Dec to 1 Apr; Q1 has 90 days
        quarter = _declared(perm, cod, dt.date(2026, 1, 1), dt.date(2026, 3, 31), "500")
        hours = [dt.datetime(2025, 12, 31, 23, tzinfo=LOCAL) + dt.timedelta(hours=h) for h in range(26)]
        perm, cod = _plant("MN-COU-HOUR", "hour", hours, 1.0)           # 1 January has 24 of those hours
        day = _declared(perm, cod, dt.date(2026, 1, 1), dt.date(2026, 1, 1), "24")
        unmeasured = _declared(f.permit(f.enterprise()), cod, dt.date(2026, 1, 1), dt.date(2026, 3, 31), "5")
        names = {quarter: "quarter", day: "day", unmeasured: "unmeasured"}
        return {"comparisons": sorted((names[r], declared, kg) for r, _, declared, kg in comparisons()),
                "inconsistent": [names[r] for r in inconsistent_reports(0.2)]}
