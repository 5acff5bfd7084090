"""A small county for the outreach tests: two townships, enterprises in each, their accounts and staff."""
from types import SimpleNamespace

import pytest
from django.test import Client

from enterprises.models import Industry, Role
from tests import factories as f


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
