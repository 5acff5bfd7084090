"""Extends the demo county with its eco-codes.

First the facts the consistency rule computes: for the latest quarterly execution report of each key
enterprise with online monitoring, the devices' daily cumulative emissions (-Cou, CN 2031, stored through
the ingestion path) over the report's quarter and the emissions the report declares — most within a few
per cent of what was measured, about one in seven under-declared by a third or more. They read only the
enterprises and the devices, so they are built beside the hooks after the warnings (``prepare``).

Then the colour history: the county scored as it stood 7 and 3 months ago (``scoring.score_past_months``:
each run reads the records of the windows that ended then), so the enterprise file shows a history and
the positive list, which needs six months of green or blue, finds its entrants. Then the present run over
everything the other apps seeded (reports, permits, monitoring data and warnings, self-checks,
inspections, complaints, work orders, cases, manifests). The later month and the present are read beside
the first month's run, and stored in order.
"""
import datetime as dt
import random
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from core import clock
from core.beside import Beside
from enterprises.models import ExecutionReport, MonitoringDuty
from monitoring.hj212 import ParsedReading
from monitoring.models import Device
from monitoring.services import aggregate_partitions, partitions
from monitoring.services.ingest import Unit, store

from .models import ReportedEmission, ScoringRun
from .services import scoring

ORDER = 90  # after every other app's demo data: the score reads them all
PREPARE_AFTER = "alerts"  # the emissions need the devices; they run beside dispatch, waste and outreach
LOCAL = ZoneInfo("Asia/Shanghai")
UNDER_DECLARED = 0.15
HISTORY_MONTHS = (7, 3)  # the positive list needs one older than six months; each costs one full run


def _latest_quarterly_reports() -> dict[int, ExecutionReport]:
    """Per permit of a key enterprise, its latest submitted quarterly report."""
    latest = {}
    for report in (ExecutionReport.objects.filter(kind="quarterly", submitted_on__isnull=False,
                                                  permit__enterprise__management_class="key")
                   .order_by("permit_id", "-period_end")):
        latest.setdefault(report.permit_id, report)
    return latest


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def prepare(county) -> dict:
    """The devices' daily emissions over each report's quarter and what the reports declare."""
    return {"reported emissions": _emissions(random.Random(f"{county.seed}:ecocode"))}


def _emissions(rng) -> int:
    reports = _latest_quarterly_reports()
    devices = {d.outlet_id: d for d in Device.objects.filter(outlet__permit_id__in=reports, is_active=True)}
    duties = (MonitoringDuty.objects.filter(permit_id__in=reports, method="online", outlet_id__in=devices)
              .select_related("pollutant").order_by("permit_id", "outlet_id", "pollutant_id"))
    measured, units_by_end = {}, {}
    for duty in duties:
        report = reports[duty.permit_id]
        per_day = rng.uniform(2, 40)
        readings = []
        day = report.period_start
        while day <= report.period_end:
            kg = round(per_day * rng.uniform(0.8, 1.2), 3)
            readings.append((duty.pollutant_id, ParsedReading(
                code=duty.pollutant.code, kind="day", observed_at=dt.datetime.combine(day, dt.time(), LOCAL),
                avg=round(rng.uniform(0.2, 0.7) * 50, 2), cou=kg)))
            measured[(report.pk, duty.pollutant_id)] = measured.get((report.pk, duty.pollutant_id), 0) + kg
            day += dt.timedelta(days=1)
        units_by_end.setdefault(report.period_end, []).append(Unit(device=devices[duty.outlet_id], readings=readings))
    days = sorted({day for report in reports.values() for day in _days(report.period_start, report.period_end)})
    partitions.ensure_partitions(days)  # the quarter's partitions, as beat made them at the time (PostgreSQL)
    aggregate_partitions.ensure((period, day) for period in aggregate_partitions.PERIODS for day in days)
    for end, units in units_by_end.items():   # received as a backfill at the end of the quarter
        received = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(1), LOCAL)
        for i in range(0, len(units), 200):
            store(units[i:i + 200], [], now=received)
    declared = []
    for (report_id, pollutant_id), kg in measured.items():
        share = rng.uniform(0.5, 0.68) if rng.random() < UNDER_DECLARED else rng.uniform(0.93, 1.07)
        declared.append(ReportedEmission(report_id=report_id, pollutant_id=pollutant_id,
                                         amount_kg=Decimal(str(round(kg * share, 3)))))
    ReportedEmission.objects.bulk_create(declared)
    return len(declared)


def extend(county) -> dict:
    now = clock.now()
    present = Beside(partial(scoring.evaluation_of, as_of=now))  # read beside the past months' runs
    past = scoring.score_past_months(HISTORY_MONTHS, as_of=now)
    run = scoring.run(trigger=ScoringRun.Trigger.NIGHTLY, as_of=now, evaluation=present.result())
    return {"past months scored": len(past), "eco-codes scored": run.enterprises,
            "insufficient data": run.insufficient, "colour changes": run.colour_changes}
