"""Model validation and database constraints of enterprises and permits."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enterprises.models import Enterprise, Permit, PermitLimit, Pollutant, Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_enterprise_full_clean_rejects_bad_credit_code():
    town = f.township()
    ent = f.enterprise(town)
    ent.credit_code = ent.credit_code[:-1] + ("0" if ent.credit_code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        ent.full_clean()
    assert "credit_code" in err.value.message_dict


def test_enterprise_village_must_be_in_its_township():
    town_a, town_b = f.township(), f.township()
    ent = f.enterprise(town_a)
    ent.village = f.village(town_b)
    with pytest.raises(ValidationError) as err:
        ent.full_clean()
    assert "village" in err.value.message_dict


def test_permit_dates_validated_in_clean_and_in_database():
    ent = f.enterprise()
    bad = Permit(enterprise=ent, number="X1", management_class="key", issued_on=dt.date(2024, 1, 1),
                 valid_from=dt.date(2024, 1, 1), expires_on=dt.date(2023, 12, 31))
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "expires_on" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()
    early = Permit(enterprise=ent, number="X2", management_class="key", issued_on=dt.date(2024, 2, 1),
                   valid_from=dt.date(2024, 1, 1), expires_on=dt.date(2029, 1, 1))
    with pytest.raises(ValidationError) as err:
        early.full_clean()
    assert "valid_from" in err.value.message_dict


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1")])
def test_limit_must_be_positive(value):
    out = f.outlet(f.permit(f.enterprise()))
    limit = PermitLimit(outlet=out, pollutant=Pollutant.objects.get(code="w01018"), limit_value=value, unit="mg/L")
    with pytest.raises(ValidationError) as err:
        limit.full_clean()
    assert "limit_value" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        limit.save()


def test_ph_range_lower_limit_below_upper():
    out = f.outlet(f.permit(f.enterprise()))
    ph = Pollutant.objects.get(code="w01001")
    ok = PermitLimit(outlet=out, pollutant=ph, limit_value=Decimal("9"), lower_limit=Decimal("6"), unit="")
    ok.full_clean()
    bad = PermitLimit(outlet=out, pollutant=ph, limit_value=Decimal("6"), lower_limit=Decimal("9"), unit="")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_one_limit_per_outlet_and_pollutant():
    out = f.outlet(f.permit(f.enterprise()), limits={"w01018": 100})
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitLimit.objects.create(outlet=out, pollutant=Pollutant.objects.get(code="w01018"),
                                   limit_value=Decimal("50"), unit="mg/L")


def test_user_binding_must_match_role():
    town = f.township()
    with pytest.raises(ValidationError):
        User(username="t", role=Role.TOWNSHIP).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="t2", role=Role.TOWNSHIP)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="t3", role=Role.BUREAU, township=town)
    officer = User.objects.create(username="t4", role=Role.TOWNSHIP, township=town)
    assert officer.township == town


def test_grid_officer_gets_township_of_grid():
    g = f.grid(f.village(f.township()))
    officer = User.objects.create(username="g1", role=Role.GRID, grid=g)
    assert officer.township_id == g.township_id


def test_reference_data_loaded_by_migration():
    assert Pollutant.objects.filter(code="w01018", code_2005="011").exists()
    assert Pollutant.objects.get(code="a00000").is_parameter
    assert Enterprise._meta.get_field("credit_code").unique
