"""Bureau staff tune the catalogue in the admin: every change is a new catalogue version, bad
parameters are refused."""
import pytest
from django.test import Client

from ecocode.models import CatalogueVersion, Indicator
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = f.bureau_user()
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client, user


def _form(ind, **changes):
    data = {"code": ind.code, "name": ind.name, "group": ind.group, "weight": str(ind.weight), "rule": ind.rule,
            "params": '{"window_days": 30, "per_unit": 0.5}', "source": ind.source, "colour_cap": ind.colour_cap,
            "active": "on", "weight_source": ind.weight_source, "competes": ind.competes, "precedence": ind.precedence}
    data.update(changes)
    return data


def test_an_admin_edit_records_a_version_with_who_and_what(admin_client):
    client, user = admin_client
    before = CatalogueVersion.objects.order_by("-number").first().number
    ind = Indicator.objects.get(code="M30")
    response = client.post(f"/admin/ecocode/indicator/{ind.pk}/change/", _form(ind, weight="2.5"))
    assert response.status_code == 302
    version = CatalogueVersion.objects.order_by("-number").first()
    assert (version.number, version.created_by) == (before + 1, user)
    assert "M30" in version.note and "weight" in version.note
    assert next(i for i in version.snapshot["indicators"] if i["code"] == "M30")["weight"] == "2.50"


@pytest.mark.parametrize("changes", [{"params": '{"no_such_param": 1}'}, {"params": '{"window_days": -3}'},
                                     {"rule": "no.such_rule"}])
def test_bad_rule_or_parameters_are_refused(admin_client, changes):
    client, _ = admin_client
    before = CatalogueVersion.objects.count()
    ind = Indicator.objects.get(code="M30")
    response = client.post(f"/admin/ecocode/indicator/{ind.pk}/change/", _form(ind, **changes))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert CatalogueVersion.objects.count() == before
