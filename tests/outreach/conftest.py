"""A small county for the outreach tests: two townships, enterprises in each, their accounts and staff;
and a plant whose data came in as HJ 212 packets, for the reports."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from alerts.services import evaluation
from core import clock
from enterprises.models import Industry, Role
from tests import factories as f
from tests.monitoring.ingest_support import data_frame, device

from .report_support import T0, ingest_packets


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def county(db):
    a, b = f.township("甲镇"), f.township("乙镇")
    dye, chem = Industry.objects.get(code="C1713"), Industry.objects.exclude(code="C1713").first()
    ent_a = f.enterprise(a, name="甲镇印染有限公司", contact_name="王建国", contact_phone="13912345678",
                         address="甲镇工业园区8号")
    ent_a2 = f.enterprise(a, name="甲镇化工有限公司", industry=chem)
    ent_b = f.enterprise(b, name="乙镇印染有限公司")
    return SimpleNamespace(
        a=a, b=b, dye=dye, chem=chem, ent_a=ent_a, ent_a2=ent_a2, ent_b=ent_b,
        bureau=f.user(Role.BUREAU), enforcement=f.user(Role.ENFORCEMENT),
        officer_a=f.user(Role.TOWNSHIP, township=a), officer_b=f.user(Role.TOWNSHIP, township=b),
        account_a=f.user(Role.ENTERPRISE, enterprise=ent_a), account_a2=f.user(Role.ENTERPRISE, enterprise=ent_a2),
        account_b=f.user(Role.ENTERPRISE, enterprise=ent_b))


@pytest.fixture
def plant():
    """COD ≤ 100 and NH3-N ≤ 15 on DW001. COD: 10 hours of data, 8 at 50 mg/L and 2 at 150 (over the
    limit); NH3-N 6 hours at 5. Hourly packets carry the emissions: COD 2.5 kg/h, NH3-N 0.1 kg/h."""
    town = f.township("报表镇")
    ent = f.enterprise(town, name="桐乡报表测试化工有限公司")
    outlet = f.outlet(f.permit(ent), limits={"w01018": 100, "w21003": 15})
    dev = device(outlet)
    for hour in range(10):
        at = T0 + dt.timedelta(hours=hour)
        cod = 150 if hour in (8, 9) else 50
        items = {"w01018": {"Rtd": cod, "Flag": "N"}}
        hourly = {"w01018": {"Avg": cod, "Cou": 2.5}}
        if hour < 6:
            items["w21003"] = {"Rtd": 5, "Flag": "N"}
            hourly["w21003"] = {"Avg": 5, "Cou": 0.1}
        ingest_packets([data_frame(dev.mn, at + dt.timedelta(minutes=5), items),
                        data_frame(dev.mn, at, hourly, cn="2061")], at + dt.timedelta(minutes=6))
        with clock.frozen(at + dt.timedelta(minutes=35)):
            evaluation.evaluate()
    with clock.frozen(T0 + dt.timedelta(hours=10, minutes=5)):
        evaluation.evaluate()  # the cycle after the last hour completed records its exceedance
    return ent
