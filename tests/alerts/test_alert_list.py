"""The warning list: every warning of my jurisdiction (no 500 cap), 50 a page, filtered by state, rule,
township and alarm, searched by enterprise name, credit code or outlet code."""
import datetime as dt
import re

from django.urls import reverse

from alerts.models import Alert
from enterprises.models import Role
from tests import factories as f
from tests.dashboard.helpers import NOW, open_alert


def listed(client, **query) -> list[int]:
    page = client.get(reverse("alerts:alert-list"), query)
    assert page.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-alert="(\d+)">', page.content.decode())]


def test_every_warning_is_listed_a_page_at_a_time_and_filters_work(client, db):
    a, b = f.township("甲镇"), f.township("乙镇")
    ent_a, ent_b = f.enterprise(a, name="甲镇化工"), f.enterprise(b, name="乙镇印染")
    first = open_alert(ent_a)
    other = open_alert(ent_b, rule="missing_data", is_alarm=True)
    Alert.objects.bulk_create(Alert(outlet=first.outlet, enterprise=ent_a, pollutant=first.pollutant, rule="near_limit",
                                    state="resolved", opened_at=NOW - dt.timedelta(minutes=i),
                                    last_seen_at=NOW, value=90, limit_value=100) for i in range(1, 519))
    client.force_login(f.user(Role.BUREAU))
    body = client.get(reverse("alerts:alert-list"), {"state": "all"}).content.decode()
    assert "共 520 条预警" in body and len(listed(client, state="all")) == 50
    assert len(listed(client, state="all", page=11)) == 20  # the 501st to 520th are there too
    assert sorted(listed(client)) == sorted([first.pk, other.pk])  # open ones by default
    assert listed(client, rule="missing_data") == [other.pk]
    assert listed(client, alarm="1") == [other.pk]
    assert listed(client, q="乙镇印染") == [other.pk]
    assert listed(client, q=ent_b.credit_code) == [other.pk]
    assert listed(client, township=b.pk) == [other.pk]
    assert listed(client, township=a.pk, rule="exceedance") == [first.pk]
    Alert.objects.filter(pk=other.pk).update(state="resolved")
    assert other.pk not in listed(client, township=b.pk)  # open ones by default
    assert listed(client, township=b.pk, state="resolved") == [other.pk]
    assert len(listed(client, township=a.pk, state="resolved", rule="near_limit", page=11)) == 18
    assert listed(client, township=b.pk, state="all") == [other.pk]

    client.force_login(f.user(Role.TOWNSHIP, township=b))
    assert listed(client, state="all") == [other.pk]
