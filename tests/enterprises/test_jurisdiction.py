"""Jurisdiction rules: who sees which enterprise, and everything reached through one."""
import pytest
from django.contrib.auth.models import AnonymousUser

from dispatch.models import WorkOrder
from dispatch.services import work_order_open
from enterprises import jurisdiction as j
from enterprises.models import Outlet, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    town_a, town_b = f.township("甲镇"), f.township("乙镇")
    grid_a1 = f.grid(f.village(town_a))
    grid_a2 = f.grid(f.village(town_a))
    ents = {
        "a1": f.enterprise(grid_=grid_a1),
        "a2": f.enterprise(grid_=grid_a2),
        "b": f.enterprise(town_b),
    }
    for e in ents.values():
        f.outlet(f.permit(e), limits={"w01018": 100})
    return town_a, town_b, grid_a1, ents


def names(qs):
    return sorted(e.name for e in qs)


def test_each_role_sees_its_scope(county):
    town_a, town_b, grid_a1, ents = county
    every = names(ents.values())
    assert names(j.visible_enterprises(f.user(Role.BUREAU))) == every
    assert names(j.visible_enterprises(f.user(Role.ENFORCEMENT))) == every
    assert names(j.visible_enterprises(f.user(Role.TOWNSHIP, township=town_a))) == names([ents["a1"], ents["a2"]])
    assert names(j.visible_enterprises(f.user(Role.GRID, grid=grid_a1))) == [ents["a1"].name]
    assert names(j.visible_enterprises(f.user(Role.ENTERPRISE, enterprise=ents["b"]))) == [ents["b"].name]
    assert names(j.visible_enterprises(AnonymousUser())) == []


def test_inactive_user_sees_nothing(county):
    user = f.user(Role.BUREAU)
    user.is_active = False
    assert not j.visible_enterprises(user).exists()
    assert not j.can_access_enterprise(user, county[3]["a1"])


def test_restrict_follows_a_path(county):
    town_a, _, _, ents = county
    officer = f.user(Role.TOWNSHIP, township=town_a)
    outlets = j.restrict(Outlet.objects.all(), officer, path="enterprise")
    assert {o.enterprise_id for o in outlets} == {ents["a1"].pk, ents["a2"].pk}
    account = f.user(Role.ENTERPRISE, enterprise=ents["a1"])
    assert {o.enterprise_id for o in j.restrict(Outlet.objects.all(), account)} == {ents["a1"].pk}


def test_single_object_checks_agree_with_lists(county):
    town_a, town_b, grid_a1, ents = county
    users = [f.user(Role.BUREAU), f.user(Role.TOWNSHIP, township=town_b), f.user(Role.GRID, grid=grid_a1),
             f.user(Role.ENTERPRISE, enterprise=ents["a2"]), AnonymousUser()]
    for user in users:
        visible = set(j.visible_enterprises(user).values_list("pk", flat=True))
        for ent in ents.values():
            assert j.can_access_enterprise(user, ent) == (ent.pk in visible)
            outlet = ent.outlets.first()
            assert j.can_access(user, outlet) == (ent.pk in visible)


def test_township_officer_cannot_reach_other_township_work_orders(county):
    town_a, town_b, _, ents = county
    order_b = work_order_open(source=WorkOrder.Source.MANUAL, title="检查", enterprise=ents["b"])
    officer_a = f.user(Role.TOWNSHIP, township=town_a)
    assert not j.restrict(WorkOrder.objects.all(), officer_a).filter(pk=order_b.pk).exists()
    assert not j.can_access(officer_a, order_b)
    assert j.can_access(f.user(Role.TOWNSHIP, township=town_b), order_b)


def test_visible_townships(county):
    town_a, town_b, grid_a1, _ = county
    assert set(j.visible_townships(f.user(Role.BUREAU))) >= {town_a, town_b}
    assert list(j.visible_townships(f.user(Role.TOWNSHIP, township=town_a))) == [town_a]
    assert list(j.visible_townships(f.user(Role.GRID, grid=grid_a1))) == [town_a]
    assert not j.visible_townships(AnonymousUser()).exists()
