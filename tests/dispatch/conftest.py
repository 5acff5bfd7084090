"""Fixtures of the dispatch tests: two townships, a grid, enterprises, officers, a team."""
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from dispatch.models import Team
from enterprises.models import Role
from tests import factories as f

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Service errors in their English msgids (the UI itself speaks zh-Hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def county(db):
    town_a, town_b = f.township("甲镇"), f.township("乙镇")
    grid_a = f.grid(f.village(town_a))
    ent_a = f.enterprise(town_a)  # no grid: the township handles it
    ent_grid = f.enterprise(grid_=grid_a)
    ent_b = f.enterprise(town_b)
    officer_a = f.user(Role.TOWNSHIP, township=town_a, email="a@example.com")
    officer_b = f.user(Role.TOWNSHIP, township=town_b, email="b@example.com")
    grid_officer = f.user(Role.GRID, grid=grid_a)
    inspector = f.user(Role.ENFORCEMENT)
    team = Team.objects.create(name="一中队")
    team.members.add(inspector)
    team.townships.add(town_a, town_b)
    return SimpleNamespace(town_a=town_a, town_b=town_b, grid_a=grid_a, ent_a=ent_a, ent_grid=ent_grid, ent_b=ent_b,
                           officer_a=officer_a, officer_b=officer_b, grid_officer=grid_officer, inspector=inspector,
                           team=team, bureau=f.user(Role.BUREAU), ent_user=f.user(Role.ENTERPRISE, enterprise=ent_a))


def jpeg(seed: int = 0, name: str = "p.jpg") -> SimpleUploadedFile:
    """A small real JPEG whose bytes differ by ``seed``."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, (seed * 7) % 256, 100)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")
