"""A small county for the API tests: two townships (A with a grid), three enterprises, one user of
every role (and of the other township / enterprise), readings, warnings, work orders, a self-check
notice, a complaint, notifications and eco-codes."""
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from alerts.models import Alert
from core import clock
from dispatch import services
from dispatch.models import Team, WorkOrder
from dispatch.services import checklists
from ecocode.models import EcoCode
from enterprises.models import Pollutant, Role
from monitoring.models import Aggregate, DataKind, Device, Reading
from notifications.models import Notification
from tests import factories as f

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
PASSWORD = "pw-for-tests-only"


def _site(ent, code="DW001"):
    out = f.outlet(f.permit(ent), code=code, limits={"w01018": 100, "w21003": 15})
    dev = Device.objects.create(mn=f"MN{out.pk:022d}", outlet=out, last_seen_at=T0)
    cod = Pollutant.objects.get(code="w01018")
    for minutes in range(0, 60, 10):
        at = T0 - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes)
        Reading.objects.create(device=dev, pollutant=cod, kind=DataKind.MINUTE, observed_at=at, outlet=out,
                               value=40 + minutes, avg=40 + minutes, received_at=at)
    Aggregate.objects.create(outlet=out, pollutant=cod, period=Aggregate.Period.HOUR,
                             start=T0 - dt.timedelta(hours=2), count=6, valid_count=6, sum=315, avg=52.5, min=40,
                             max=90, updated_at=T0)
    alert = Alert.objects.create(outlet=out, enterprise=ent, pollutant=cod, rule="exceedance", state="notified",
                                 opened_at=T0 - dt.timedelta(hours=1), last_seen_at=T0, value=120, peak_value=130,
                                 limit_value=100)
    return out, alert


def jpeg_bytes(seed: int = 0) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, (seed * 7) % 256, 100)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _fast_passwords_and_fresh_throttles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # login throttle counters (this run's own Redis DB) from earlier runs


@pytest.fixture
def world(db):
    """Everything the endpoint tables need, built at T0 with the clock frozen there."""
    with clock.frozen(T0):
        town_a, town_b = f.township("甲镇"), f.township("乙镇")
        grid_a = f.grid(f.village(town_a))
        ent_a = f.enterprise(town_a)  # no grid: its orders go to the township
        ent_g = f.enterprise(grid_=grid_a)
        ent_b = f.enterprise(town_b)
        out_a, alert_a = _site(ent_a)
        out_b, alert_b = _site(ent_b)
        out_g, alert_g = _site(ent_g)
        users = {
            "bureau": f.user(Role.BUREAU),
            "enforcement": f.user(Role.ENFORCEMENT),
            "township_a": f.user(Role.TOWNSHIP, township=town_a),
            "township_b": f.user(Role.TOWNSHIP, township=town_b),
            "grid_a": f.user(Role.GRID, grid=grid_a),
            "ent_a": f.user(Role.ENTERPRISE, enterprise=ent_a),
            "ent_b": f.user(Role.ENTERPRISE, enterprise=ent_b),
        }
        team = Team.objects.create(name="一中队")
        team.members.add(users["enforcement"])
        team.townships.add(town_a, town_b)
        order_a = services.work_order_open(source=WorkOrder.Source.PATROL, title="甲企业问题", enterprise=ent_a,
                                           source_ref="t:a")
        order_b = services.work_order_open(source=WorkOrder.Source.PATROL, title="乙企业问题", enterprise=ent_b,
                                           source_ref="t:b")
        order_team = services.work_order_open(source=WorkOrder.Source.INSPECTION, title="执法发现", enterprise=ent_a,
                                              source_ref="t:i")
        checklists.self_check_notices_issue(enterprises=[ent_a, ent_b], batch="2026-03",
                                            due_at=T0 + dt.timedelta(days=7))
        complaint_a = services.complaint_file(text="甲企业冒黑烟", channel="web", enterprise=ent_a)
        complaint_b = services.complaint_file(text="乙企业异味", channel="web", enterprise=ent_b)
        notes = {name: Notification.objects.create(user=u, kind="test", subject=f"给{name}的消息", created_at=T0)
                 for name, u in users.items()}
        EcoCode.objects.create(enterprise=ent_a, colour="green", score=95, scored_at=T0)
        EcoCode.objects.create(enterprise=ent_b, colour="yellow", score=70, scored_at=T0)
    from dispatch.models import SelfCheckNotice
    return SimpleNamespace(
        town_a=town_a, town_b=town_b, grid_a=grid_a, ent_a=ent_a, ent_g=ent_g, ent_b=ent_b, out_a=out_a,
        out_b=out_b, out_g=out_g, alert_a=alert_a, alert_b=alert_b, alert_g=alert_g, users=users, team=team,
        order_a=order_a, order_b=order_b, order_team=order_team, complaint_a=complaint_a, complaint_b=complaint_b,
        notes=notes, notice_a=SelfCheckNotice.objects.get(enterprise=ent_a),
        notice_b=SelfCheckNotice.objects.get(enterprise=ent_b),
    )


@pytest.fixture
def frozen():
    with clock.frozen(T0) as advance:
        yield advance


def client_for(user) -> APIClient:
    """A client authenticated by the user's API token (as the mobile pages are)."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client
