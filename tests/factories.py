"""Small hand-built counties for tests: plain functions that create rows with sensible defaults."""
import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from enterprises.models import (
    County,
    Enterprise,
    Grid,
    Industry,
    Outlet,
    Permit,
    PermitLimit,
    Pollutant,
    Role,
    Township,
    User,
    Village,
)
from enterprises.validators import make_credit_code

_seq = itertools.count(1)

SQUARE = {"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1],
                                               [120.0, 30.0]]]}


def county() -> County:
    return County.objects.get_or_create(code="330483", defaults={"name": "桐乡市"})[0]


def township(name: str | None = None) -> Township:
    n = next(_seq)
    return Township.objects.create(county=county(), code=f"T{n:04d}", name=name or f"测试镇{n}",
                                   latitude=30.05, longitude=120.05, boundary=SQUARE)


def village(town: Township) -> Village:
    n = next(_seq)
    return Village.objects.create(township=town, code=f"V{n:05d}", name=f"测试村{n}", latitude=30.05,
                                  longitude=120.05)


def grid(vil: Village) -> Grid:
    n = next(_seq)
    return Grid.objects.create(village=vil, township=vil.township, code=f"G{n:05d}", name=f"网格{n}")


def enterprise(town: Township | None = None, grid_: Grid | None = None, **fields) -> Enterprise:
    n = next(_seq)
    town = town or (grid_.township if grid_ else township())
    defaults = dict(
        credit_code=make_credit_code("330483", f"T{n:07d}"), name=f"测试企业{n}",
        industry=Industry.objects.get(code="C1713"), latitude=30.05, longitude=120.05, township=town,
        village=grid_.village if grid_ else None, grid=grid_, management_class="key",
        contact_email=f"ent{n}@example.com", contact_phone="13800000000", contact_name="张三",
    )
    defaults.update(fields)
    return Enterprise.objects.create(**defaults)


def permit(ent: Enterprise, **fields) -> Permit:
    n = next(_seq)
    defaults = dict(number=f"{ent.credit_code}{n:03d}P"[:32], management_class=ent.management_class,
                    issued_on=dt.date(2024, 1, 1), valid_from=dt.date(2024, 1, 1), expires_on=dt.date(2029, 1, 1))
    defaults.update(fields)
    return Permit.objects.create(enterprise=ent, **defaults)


def outlet(perm: Permit, code: str = "DW001", kind: str = "water", limits: dict | None = None) -> Outlet:
    """An outlet with limits, e.g. ``limits={"w01018": 100, "w21003": 15}``."""
    out = Outlet.objects.create(permit=perm, enterprise=perm.enterprise, code=code, name=f"排放口{code}", kind=kind,
                                is_main=True, online_monitored=True, latitude=30.05, longitude=120.05)
    for code_, value in (limits or {}).items():
        pol = Pollutant.objects.get(code=code_)
        PermitLimit.objects.create(outlet=out, pollutant=pol, limit_value=Decimal(str(value)), unit=pol.unit)
    return out


def user(role: str, **binding) -> User:
    n = next(_seq)
    return User.objects.create_user(username=f"{role}{n}", password="pw-for-tests-only", role=role, **binding)


def bureau_user() -> User:
    return user(Role.BUREAU)


def decided_case(ent: Enterprise, *, decided_on: dt.date, amount, reason: str = "excess_emission",
                 number: str | None = None, facts: str = "超标排放"):
    """A case of ``ent`` decided on ``decided_on`` (source: a work order), under the first article of the
    discretion table for ``reason`` (any article when none has that reason)."""
    from dispatch.models import WorkOrder
    from enforcement.models import Case, DiscretionArticle

    at = timezone.make_aware(dt.datetime(decided_on.year, decided_on.month, decided_on.day, 9))
    order = WorkOrder.objects.create(enterprise=ent, township=ent.township, source=WorkOrder.Source.MANUAL,
                                     title=facts, opened_at=at)
    article = DiscretionArticle.objects.filter(reason=reason).first() or DiscretionArticle.objects.first()
    return Case.objects.create(
        enterprise=ent, work_order=order, facts=facts, lead_at=at, opened_by=bureau_user(), file_due_on=decided_on,
        state=Case.State.DECIDED, filed_on=decided_on, filing_number=f"立-{next(_seq)}", article=article,
        reason=reason, decision_number=number or f"罚-{next(_seq)}", decided_on=decided_on, amount=Decimal(amount))
