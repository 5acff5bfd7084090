"""The catalogue's indicators over other apps' records, scored through the installed catalogue: the
operators' records of monitoring equipment (S34 failed tests, S35 unrepaired faults) charge an outlet's
invalid data once, before the flag-based validity (S18); the waste manifests (M50) charge the producer's
shipments late, incomplete or unconfirmed."""
import datetime as dt
import uuid

import pytest

from core import clock
from ecocode.models import Indicator
from ecocode.services import scoring
from enforcement import services as enforcement
from enterprises.models import MonitoringDuty, Pollutant, Role
from monitoring.models import Aggregate, Device
from tests import factories as f
from tests.waste.support import T0, shipment, track, world
from waste.services.alerts import transfers_check

from .conftest import NOW
from .helpers import on_time_report

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def entries(enterprise, at) -> dict[str, dict]:
    return {e["code"]: e for e in scoring.score_enterprise(enterprise, as_of=at).explanation}


def test_the_catalogue_states_the_sources_and_competition():
    rows = {i.code: i for i in Indicator.objects.filter(code__in=["S18", "S23", "S34", "S35", "M50"])}
    assert (rows["S34"].rule, rows["S35"].rule, rows["M50"].rule) == (
        "device_checks.failed", "device_checks.unresolved", "transfers.faults")
    assert {c: (rows[c].competes, rows[c].precedence) for c in ("S18", "S23", "S34", "S35")} == {
        "S18": ("invalid_data", 2), "S23": ("invalid_data", 2), "S34": ("invalid_data", 1), "S35": ("invalid_data", 1)}
    assert rows["M50"].competes == ""  # a shipment is a fact of its own
    assert all("局务会决定" in rows[c].weight_source and "依据" in rows[c].weight_source for c in ("S34", "S35", "M50"))


def test_an_outlets_invalid_data_is_charged_once_to_the_operators_record(now):
    ent = f.enterprise()
    perm = f.permit(ent)
    on_time_report(perm)
    out = f.outlet(perm, "DW001", "water", {"w01018": 100})
    cod = Pollutant.objects.get(code="w01018")
    MonitoringDuty.objects.create(permit=perm, outlet=out, pollutant=cod, method="online", frequency="continuous")
    device = Device.objects.create(mn=f"D{uuid.uuid4().hex[:20]}", outlet=out, last_seen_at=NOW - dt.timedelta(minutes=5))
    for n in range(24):  # a day of hours, 50 of each 60 readings valid: validity 0.83 < 0.9
        Aggregate.objects.create(outlet=out, pollutant=cod, period="hour", start=NOW - (n + 1) * H, count=60,
                                 valid_count=50, sum=50 * 40, avg=40, min=40, max=40, updated_at=NOW)
    assert entries(ent, NOW)["S18"]["points"] == 2
    account = f.user(Role.ENTERPRISE, enterprise=ent)
    enforcement.device_check_record(user=account, device=device, kind="comparison", operator="某运维公司",
                                    performed_at=NOW - dt.timedelta(days=20), passed=False, findings="COD 比对不合格")
    enforcement.device_check_record(user=account, device=device, kind="fault", operator="某运维公司",
                                    performed_at=NOW - dt.timedelta(days=12), findings="采样泵故障")
    got = entries(ent, NOW)
    assert got["S34"]["points"] == 1.5
    assert [(r["type"], r["id"], r["ep"]) for r in got["S34"]["records"]] == [("device", str(device.pk),
                                                                               f"validity:{out.pk}")]
    for code in ("S35", "S18"):  # the fault left open and the flags: the same outlet's invalid data
        assert got[code]["points"] == 0
        assert [r["by"] for r in got[code]["already_charged"]] == ["S34"]


def test_the_producer_answers_for_its_shipments():
    with clock.frozen(T0 - H):
        w = world()
    slow = lambda rows: track(start=T0 + dt.timedelta(days=1), minutes=150)  # noqa: E731 (positions all the way)
    ids = [shipment(w, 0), shipment(w, 1, slow, arrive_after=dt.timedelta(minutes=150)),
           shipment(w, 2, refuse="车辆运输轨迹缺失，拒绝接收")]
    for day in range(3):
        with clock.frozen(T0 + dt.timedelta(days=day, hours=4)):
            transfers_check(T0 + dt.timedelta(days=day, hours=4))
    at = T0 + dt.timedelta(days=4)
    with clock.frozen(at):
        m50 = entries(w.producer, at)["M50"]
    assert m50["points"] == 2 and m50["evidence"]["n"] == 2  # late, refused; the clean one costs nothing
    assert sorted(r["id"] for r in m50["records"]) == sorted(str(pk) for pk in ids[1:])
    assert {r["type"] for r in m50["records"]} == {"manifest"}
