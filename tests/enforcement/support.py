"""Small builders for the enforcement tests: coloured enterprises, enterprises with enough data to be
scored, and enforcement officers."""
import datetime as dt

from ecocode.models import EcoCode
from enforcement.models import OfficerCapacity
from enterprises.models import ExecutionReport, Role
from tests import factories as f


def coloured(colour: str, town=None, **fields):
    ent = f.enterprise(town, **fields)
    EcoCode.objects.update_or_create(enterprise=ent, defaults={"colour": colour})
    return ent


def officers(n: int, capacity: int | None = None) -> list:
    users = [f.user(Role.ENFORCEMENT) for _ in range(n)]
    if capacity is not None:
        OfficerCapacity.objects.bulk_create(OfficerCapacity(officer=u, per_month=capacity) for u in users)
    return users


def reported(permit, submitted_on: dt.date) -> ExecutionReport:
    """A quarterly execution report submitted on time (as the permit platform's import brings it): the
    conduct the eco-code needs to score an enterprise rather than grade it "insufficient data"."""
    start = dt.date(submitted_on.year, (submitted_on.month - 1) // 3 * 3 + 1, 1)
    return ExecutionReport.objects.create(permit=permit, kind="quarterly", period_start=start, period_end=start,
                                          due_on=submitted_on + dt.timedelta(days=5), submitted_on=submitted_on,
                                          is_complete=True)


def lines(**notes) -> list[dict]:
    """Off-site inspection lines: ``online_data="恒值"`` a problem with its finding, ``video=""`` no problem."""
    return [{"basis": basis, "result": "problem" if note else "ok", "note": note} for basis, note in notes.items()]
