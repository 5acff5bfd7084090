"""The green-subsidy list for the finance office: operating enterprises whose colour earns subsidies
(green, blue, yellow) and no penalty decision in the last 12 months; bureau staff only."""
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from core import clock
from enterprises.models import Role
from tests import factories as f

from .support import coloured

pytestmark = pytest.mark.django_db


def test_the_list_holds_the_right_enterprises_for_bureau_staff_only(client):
    today = clock.now().date()
    names = {}
    for name, colour, fields in [("绿码企业", "green", {}), ("蓝码企业", "blue", {}), ("黄码企业", "yellow", {}),
                                 ("橙码企业", "orange", {}), ("红码企业", "red", {}), ("灰码企业", "grey", {}),
                                 ("近期处罚企业", "green", {}), ("旧处罚企业", "blue", {}),
                                 ("已关停企业", "green", {"status": "closed"})]:
        names[name] = coloured(colour, name=name, **fields)
    f.decided_case(names["近期处罚企业"], decided_on=today - dt.timedelta(days=100), amount=50000)
    f.decided_case(names["旧处罚企业"], decided_on=today - dt.timedelta(days=400), amount=50000)
    url = reverse("enforcement:subsidy-csv")
    for role in (Role.ENFORCEMENT, Role.TOWNSHIP, Role.ENTERPRISE):
        binding = {"township": names["绿码企业"].township} if role == Role.TOWNSHIP else \
            {"enterprise": names["绿码企业"]} if role == Role.ENTERPRISE else {}
        client.force_login(f.user(role, **binding))
        assert client.get(url).status_code == 403
    client.force_login(f.bureau_user())
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r[1] for r in rows[1:]) == sorted(["绿码企业", "蓝码企业", "黄码企业", "旧处罚企业"])
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["绿码企业"][0] == names["绿码企业"].credit_code
