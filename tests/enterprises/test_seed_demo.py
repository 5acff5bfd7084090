"""The demo county: structure, validity of every generated row, determinism."""
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from enterprises import geometry
from enterprises.models import Enterprise, Grid, Outlet, Permit, PermitLimit, Role, Township, User, Village

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def seed(n=80, seed=7, **kw):
    call_command("seed_demo", enterprises=n, seed=seed, today=TODAY, no_progress=True, **kw)


def test_small_county_is_complete_and_valid():
    seed()
    assert Township.objects.count() == 11
    assert Village.objects.count() == Grid.objects.count() >= 11 * 12
    # 80 permitted sources; the waste demo adds the carriers and receivers a small county lacks
    assert Enterprise.objects.filter(permits__isnull=False).distinct().count() == 80
    assert Enterprise.objects.filter(permits__isnull=True).count() <= 4
    assert Permit.objects.count() == 80
    assert User.objects.filter(role=Role.ENFORCEMENT).count() == 33
    assert User.objects.filter(role=Role.TOWNSHIP).count() == 22
    assert User.objects.filter(role=Role.GRID).count() == Grid.objects.count()
    # one account per enterprise, the waste demo's carriers and receivers included
    assert User.objects.filter(role=Role.ENTERPRISE).count() == Enterprise.objects.count()
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    for ent in Enterprise.objects.select_related("township", "village", "grid"):
        ent.full_clean()  # credit code check digit, coordinates, area consistency
        assert ent.village.township_id == ent.township_id == ent.grid.township_id
        town_cell = geometry.from_geojson_polygon(ent.township.boundary)
        assert geometry.contains(town_cell, (ent.longitude, ent.latitude))
    for permit in Permit.objects.all():
        permit.full_clean()
        assert (permit.status == Permit.Status.EXPIRED) == (permit.expires_on <= TODAY)
    assert not PermitLimit.objects.filter(limit_value__lte=0).exists()
    # Key enterprises have an online-monitored main outlet with limits.
    key_without_online = (Enterprise.objects.filter(management_class="key")
                          .annotate(n=Count("outlets", filter=Q(outlets__online_monitored=True))).filter(n=0))
    assert not key_without_online.exists()
    assert Outlet.objects.filter(online_monitored=True, limits__isnull=True).count() == 0
    # The waste demo: four months of shipments, each kind of transfer warning, and the reference case (a
    # truck refused at the power plant for its missing trajectory: two alarms, each with its work order).
    from waste.models import Manifest, WasteAlert, WasteRule
    assert len(Manifest.objects.dates("departed_at", "month")) >= 4
    assert set(WasteAlert.objects.values_list("rule", flat=True)) == set(WasteRule.values)
    reference = Manifest.objects.get(refusal_reason="车辆运输轨迹缺失，拒收")
    assert sorted(reference.alerts.filter(work_order__isnull=False).values_list("rule", flat=True)) == \
        [WasteRule.REFUSED, WasteRule.TRAJECTORY_MISSING]


def test_township_boundaries_tile_the_county():
    seed(n=5)
    cells = [geometry.from_geojson_polygon(t.boundary) for t in Township.objects.all()]
    # A grid of probe points over the county falls in exactly one township each (borders aside).
    hits = []
    for i in range(1, 20):
        for j in range(1, 20):
            p = (120.27 + 0.43 * i / 20, 30.47 + 0.31 * j / 20)
            hits.append(sum(geometry.contains(c, p) for c in cells))
    assert hits.count(1) >= len(hits) - 3


def snapshot():
    return list(Enterprise.objects.order_by("credit_code").values_list("credit_code", "name", "management_class",
                                                                       "latitude", "longitude", "township__name"))


@pytest.mark.django_db(transaction=True)  # --reset flushes the database, which a test transaction forbids
def test_same_seed_same_county_and_reset():
    seed(n=30, seed=11)
    first = snapshot()
    with pytest.raises(CommandError):
        seed(n=30, seed=11)
    seed(n=30, seed=11, reset=True)
    assert snapshot() == first
    # The reset reloaded the eco-code catalogue too, so the demo's scores are real, not all-default.
    from ecocode.models import EcoCode, Indicator
    assert Indicator.objects.count() == 105
    assert EcoCode.objects.exclude(colour="").count() == Enterprise.objects.count()  # every enterprise scored
    for code in EcoCode.objects.filter(colour="red", score__gte=60).select_related("latest"):  # only a veto
        assert any(e["cap"] == "red" for e in code.latest.explanation)                     # makes it red
    seed(n=30, seed=12, reset=True)
    assert snapshot() != first


def prepared() -> dict:
    """What the preparations built beside the other hooks (``Hook.prepare``) and what reads it, by natural key."""
    from dispatch.models import Round, WorkOrder
    from ecocode.models import EcoCode, ReportedEmission
    from monitoring.models import Reading
    from outreach.models import ArticleReceipt, Attempt, Question

    return {
        "rounds": sorted(Round.objects.values_list("kind", "enterprise__credit_code", "case_lead")),
        "orders": sorted(WorkOrder.objects.values_list("source", "source_ref", "state", "assignee_kind", "title")),
        "emissions": sorted(ReportedEmission.objects.values_list(
            "report__permit__number", "report__period_start", "pollutant__code", "amount_kg")),
        "readings": Reading.objects.filter(kind="day").count(),
        "attempts": sorted(Attempt.objects.values_list("enterprise__credit_code", "exam__title", "score")),
        "read": ArticleReceipt.objects.filter(read_at__isnull=False).count(),
        "questions": sorted(Question.objects.values_list("asked_by__username", "title", "state")),
        "colours": sorted(EcoCode.objects.values_list("enterprise__credit_code", "colour", "score")),
    }


@pytest.mark.django_db(transaction=True)
def test_what_is_prepared_beside_is_what_is_built_in_line(monkeypatch):
    import core.beside

    assert core.beside.can_fork()  # outside a transaction on PostgreSQL: the preparations run in their own process
    seed(n=40, seed=3, reset=True)  # both from a flush, which restarts the id sequences
    beside = prepared()
    assert beside["emissions"] and beside["attempts"] and beside["questions"]
    monkeypatch.setattr(core.beside, "can_fork", lambda: False)
    seed(n=40, seed=3, reset=True)
    assert prepared() == beside


def test_reference_data_survives_the_flush_of_the_previous_test():
    # Runs after the transactional test above: the conftest hook reloaded every app's reference data.
    from ecocode.models import ColourBand, Indicator
    from enterprises.models import Pollutant
    assert Pollutant.objects.filter(code="w01018").exists()
    assert Indicator.objects.count() == 105 and ColourBand.objects.count() == 5


def test_rejects_nonpositive_size():
    with pytest.raises(CommandError):
        seed(n=0)


def test_other_apps_extend_the_demo_county():
    from dispatch.models import Complaint, Round, SelfCheckNotice, WorkOrder
    from ecocode.models import EcoCode
    from monitoring.models import Aggregate, Device, Reading, Station

    seed(n=120, seed=5)
    online = Outlet.objects.filter(online_monitored=True)
    assert online.exists()
    assert Device.objects.filter(outlet__isnull=False).count() == online.count()
    assert Station.objects.count() >= 11 and Device.objects.filter(station__isnull=False).count() == Station.objects.count()
    assert Reading.objects.exists() and Aggregate.objects.filter(period="half_hour").exists()
    assert SelfCheckNotice.objects.exists()
    assert Round.objects.filter(kind="inspection").exists()
    assert Complaint.objects.count() == 24 and not Complaint.objects.filter(work_order__isnull=True).exists()
    assert EcoCode.objects.count() == Enterprise.objects.count()
    # Orders go to the townships, which pass some to their grids.
    assert WorkOrder.objects.filter(assignee_kind="township").exists()
    assert WorkOrder.objects.filter(assignee_kind="grid", transitions__action="pass_to_grid").exists()
