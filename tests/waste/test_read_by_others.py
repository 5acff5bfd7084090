"""Other apps read the manifests: the eco-code indicator of shipments late, incomplete or unconfirmed,
the enterprise file's section of manifests, and the township ranking's share of clean shipments. The
shipments go through the services and the REST upload, and the warnings through the transfer check."""
import datetime as dt

import pytest

from core import clock
from dashboard import kpis
from ecocode.rules import Context
from ecocode.services.scoring import evaluate
from enterprises.models import Role
from tests import factories as f
from waste.models import Manifest, WasteAlert, WasteRule
from waste.services.alerts import transfers_check

from .support import T0, shipment, track, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(days=6)


def gap(rows):
    return [r for i, r in enumerate(rows) if not 10 < i < 30]


@pytest.fixture
def shipped():
    """Five shipments of one producer: clean, late, with a gap, refused, arrived but never confirmed."""
    with clock.frozen(T0 - dt.timedelta(hours=1)):
        w = world()
    slow = lambda rows: track(start=T0 + dt.timedelta(days=1), minutes=150)  # noqa: E731 (positions all the way)
    ids = {"clean": shipment(w, 0), "late": shipment(w, 1, slow, arrive_after=dt.timedelta(minutes=150)),
           "gap": shipment(w, 2, gap), "refused": shipment(w, 3, refuse="车辆运输轨迹缺失，拒绝接收"),
           "unconfirmed": shipment(w, 4, confirm=False)}
    for day in range(5):  # the beat's transfer check, as it ran after each shipment
        at = T0 + dt.timedelta(days=day, hours=4)
        with clock.frozen(at):
            transfers_check(at)
    return w, ids


def points(enterprise, **params) -> float:
    indicator = {"code": "T01", "name": "transfers", "group": "management", "weight": "10",
                 "rule": "transfers.faults", "params": params, "source": "", "colour_cap": "", "active": True}
    losses, unavailable = evaluate({"indicators": [indicator], "bands": []}, Context(NOW, (enterprise.pk,)))
    assert unavailable == []
    return sum(e["points"] for e in losses.get(enterprise.pk, []))


def test_the_eco_code_counts_shipments_late_incomplete_or_unconfirmed(shipped):
    w, ids = shipped
    assert set(WasteAlert.objects.values_list("manifest_id", "rule")) >= {
        (ids["late"], WasteRule.OVERDUE_ARRIVAL), (ids["gap"], WasteRule.TRAJECTORY_MISSING),
        (ids["refused"], WasteRule.REFUSED)}
    assert points(w.producer, per_unit=1) == 4  # all but the clean one
    assert points(w.producer, per_unit=1, faults=["late"]) == 1
    assert points(w.producer, per_unit=1, faults=["incomplete"]) == 1
    assert points(w.producer, per_unit=1, faults=["unconfirmed"]) == 2  # refused; never confirmed after 24 h
    assert points(w.producer, per_unit=1, window_days=3) == 2  # the gap (day 2) is older than three days
    assert points(w.carrier, per_unit=1) == 0  # the producer answers for its shipments
    losses, _ = evaluate({"indicators": [{"code": "T01", "name": "t", "group": "management", "weight": "10",
                                          "rule": "transfers.faults", "params": {"per_unit": 1}, "source": "",
                                          "colour_cap": "", "active": True}], "bands": []},
                         Context(NOW, (w.producer.pk,)))
    records = {r["id"] for e in losses[w.producer.pk] for r in e["records"]}
    assert records == {str(ids[k]) for k in ("late", "gap", "refused", "unconfirmed")}


def test_the_enterprise_file_lists_the_manifests(shipped, client):
    w, ids = shipped
    with clock.frozen(NOW):
        client.force_login(w.officer)
        page = client.get(f"/enforcement/enterprises/{w.producer.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        for pk in ids.values():
            number = Manifest.objects.get(pk=pk).number
            assert f'href="/waste/{pk}/">{number}</a>' in html
        assert "转移联单" in html and "已接收" in html and "本企业产生" in html
        carrier_page = client.get(f"/enforcement/enterprises/{w.carrier.pk}/").content.decode()
        assert Manifest.objects.get(pk=ids["clean"]).number in carrier_page
        other = f.enterprise(f.township("濮院"))
        client.force_login(f.user(Role.ENTERPRISE, enterprise=other))
        assert client.get(f"/enforcement/enterprises/{w.producer.pk}/").status_code == 403


def test_the_township_ranking_has_the_share_of_clean_shipments(shipped, client):
    w, ids = shipped
    f.township("濮院")
    with clock.frozen(NOW):
        rows = kpis.township_ranking(w.officer, year=2026, month=11, now=NOW, by="waste_clean_rate")
        (row,) = [r for r in rows if r["township_id"] == w.producer.township_id]
        # clean and unconfirmed raised no warning (an unconfirmed load is the eco-code's concern)
        clean = Manifest.objects.filter(pk__in=ids.values()).exclude(alerts__isnull=False).count()
        assert row["waste_shipments"] == 5 and row["waste_clean_rate"] == round(clean / 5, 4) and 0 < clean < 5
        bureau = f.user(Role.BUREAU)
        client.force_login(bureau)
        ranked = kpis.township_ranking(bureau, year=2026, month=11, now=NOW, by="waste_clean_rate")
        assert ranked[0]["township_id"] == w.producer.township_id and ranked[1]["rank"] is None
        html = client.get("/dashboard/ranking/?month=2026-11&by=waste_clean_rate").content.decode()
        assert f"{round(clean / 5 * 100)}% (5)" in html
        csv = client.get("/dashboard/ranking.csv?month=2026-11&by=waste_clean_rate").content.decode("utf-8-sig")
        assert "无预警的固废转移" in csv.splitlines()[0]
