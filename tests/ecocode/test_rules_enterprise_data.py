"""Rule families over the enterprise's permit data: execution reports, permits, outlets, duties."""
import datetime as dt

import pytest

from enterprises.models import ExecutionReport, MonitoringDuty, Pollutant, TreatmentFacility
from monitoring.models import Device
from tests import factories as f

from .helpers import ind, points

pytestmark = pytest.mark.django_db
D = dt.date


def report(perm, kind, start, due, submitted=None, complete=True):
    return ExecutionReport.objects.create(permit=perm, kind=kind, period_start=start, period_end=start, due_on=due,
                                          submitted_on=submitted, is_complete=complete)


def test_execution_reports(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    report(perm, "annual", D(2025, 1, 1), D(2026, 3, 31), D(2026, 4, 10))                 # 10 days late
    report(perm, "quarterly", D(2026, 1, 1), D(2026, 4, 15), D(2026, 4, 15), complete=False)
    report(perm, "quarterly", D(2025, 10, 1), D(2026, 1, 15))                             # missing, 151 days
    report(perm, "monthly", D(2026, 4, 1), D(2026, 5, 15), D(2026, 5, 20))                # 5 days late
    report(perm, "monthly", D(2026, 5, 1), D(2026, 6, 15))                                # due today: not missing
    report(perm, "annual", D(2022, 1, 1), D(2023, 3, 31), D(2023, 9, 1))                  # outside the window
    assert points(
        ent,
        ind("reports.late", 5, kind="annual", window_days=730, per_unit=3),
        ind("reports.late", 5, window_days=365, per_unit=1),
        ind("reports.late", 5, window_days=365, min_days_late=8),
        ind("reports.late", 5, window_days=365, min_count=3),
        ind("reports.missing", 3, kind="quarterly", per_unit=1.5),
        ind("reports.missing", 4, window_days=1095, grace_days=150),
        ind("reports.missing", 4, window_days=1095, grace_days=151),
        ind("reports.incomplete", 2, per_unit=0.5),
    ) == [3, 2, 5, 0, 1.5, 4, 0, 0.5]


def test_a_past_month_sees_a_report_submitted_later_as_missing(now):
    ent = f.enterprise()
    report(f.permit(ent), "quarterly", D(2026, 1, 1), D(2026, 4, 15), D(2026, 5, 20), complete=False)  # 35 days late
    indicators = (ind("reports.missing", 3, kind="quarterly"), ind("reports.late", 2, kind="quarterly"),
                  ind("reports.incomplete", 1, kind="quarterly"))
    assert points(ent, *indicators) == [0, 2, 1]
    assert points(ent, *indicators, at=now - dt.timedelta(days=40)) == [3, 0, 0]  # on 6 May it was not in


def test_permits(now):
    expired = f.enterprise()
    f.permit(expired, valid_from=D(2021, 1, 1), issued_on=D(2021, 1, 1), expires_on=D(2026, 1, 1))
    expiring = f.enterprise()
    f.permit(expiring, valid_from=D(2021, 8, 1), issued_on=D(2021, 8, 1), expires_on=D(2026, 8, 1),
             management_class="simplified")
    revoked = f.enterprise()
    f.permit(revoked, status="revoked")
    f.permit(revoked)
    rules = (ind("permits.none_valid", 20), ind("permits.expiring", 1, days=90),
             ind("permits.status", 10, statuses=["revoked"]), ind("permits.class_mismatch", 1))
    assert points(expired, *rules) == [20, 0, 0, 0]
    assert points(expiring, *rules) == [0, 1, 0, 1]
    assert points(revoked, *rules) == [0, 0, 10, 0]


def test_outlets_and_duties(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    water = f.outlet(perm, "DW001", "water", {"w01018": 100})
    air = f.outlet(perm, "DA001", "air", {"a34013": 20})
    f.outlet(perm, "DW002", "water")                      # no limits: nothing to treat
    TreatmentFacility.objects.create(permit=perm, outlet=air, name="布袋除尘")
    air.online_monitored = False
    air.save()
    for out, code in ((water, "w01018"), (air, "a34013")):
        MonitoringDuty.objects.create(permit=perm, outlet=out, pollutant=Pollutant.objects.get(code=code),
                                      method="online", frequency="continuous")
    rules = (ind("outlets.no_facility", 2, kind="water"), ind("outlets.no_facility", 2, kind="air"),
             ind("duties.online_not_installed", 5, medium="air"), ind("duties.online_not_installed", 5, medium="water"),
             ind("duties.no_device", 2, medium="water"))
    assert points(ent, *rules) == [2, 0, 5, 0, 2]
    Device.objects.create(mn="MN0001", outlet=water)
    assert points(ent, *rules)[4] == 0
