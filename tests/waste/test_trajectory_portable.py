"""The trajectory checks on both databases: the portable pass (the embedded SQLite's path) finds the
gaps, detours and stops the PostgreSQL statement finds, row for row, over shipments of several days."""
import datetime as dt

import pytest

from core import clock
from core.db import is_postgres
from waste.models import TransferSettings, WasteRule
from waste.services import checks

from .support import T0, shipment, world

pytestmark = pytest.mark.django_db


def gap(rows):
    return [r for i, r in enumerate(rows) if not 10 < i < 30]


def detour(rows):
    for row in rows[12:20]:
        row["latitude"], row["longitude"] = round(row["latitude"] + 0.06, 6), round(row["longitude"] - 0.06, 6)
    return rows


def stop(rows):
    for row in rows[10:36]:
        row.update(latitude=rows[10]["latitude"], longitude=rows[10]["longitude"], speed=0)
    return rows


@pytest.fixture
def shipments():
    with clock.frozen(T0):
        w = world()
    TransferSettings.objects.update_or_create(pk=1, defaults={"stop_minutes": 20})
    ids = {"clean": shipment(w, 0, lambda r: r), "gap": shipment(w, 1, gap), "detour": shipment(w, 2, detour),
           "stop": shipment(w, 3, stop), "none": shipment(w, 4, lambda r: []),
           "on_the_road": shipment(w, 5, lambda r: r[:20], arrive=False)}
    return ids, T0 + dt.timedelta(days=5, minutes=50)


def kinds(now, ids) -> dict[str, list[str]]:
    cfg = TransferSettings.current()
    producers = dict.fromkeys(ids.values(), 0)
    found = checks.trajectory_findings(now, cfg, list(ids.values()), producers)
    return {name: sorted(f.rule for f in found if f.manifest_id == pk) for name, pk in ids.items()}


def test_the_checks_run_on_this_database(shipments):
    ids, now = shipments
    assert kinds(now, ids) == {
        "clean": [], "gap": [WasteRule.TRAJECTORY_MISSING], "detour": [WasteRule.ROUTE_DEVIATION],
        "stop": [WasteRule.ROUTE_DEVIATION], "none": [WasteRule.TRAJECTORY_MISSING],
        "on_the_road": [WasteRule.TRAJECTORY_MISSING],  # 30 minutes since its last position
    }


def test_the_portable_pass_gives_the_statement_s_rows(shipments):
    ids, now = shipments
    cfg = TransferSettings.current()
    portable = {row[0]: row for row in checks.trajectory_rows_portable(now, cfg, list(ids.values()))}
    assert set(portable) == set(ids.values())
    by_id = {pk: name for name, pk in ids.items()}
    assert portable[ids["none"]][3] == 0 and portable[ids["clean"]][3] == 41
    assert portable[ids["gap"]][5] - portable[ids["gap"]][4] == dt.timedelta(minutes=20)
    assert portable[ids["detour"]][9] > 5 and portable[ids["clean"]][9] < 0.01
    assert portable[ids["stop"]][11] - portable[ids["stop"]][10] == dt.timedelta(minutes=25)
    if not is_postgres():
        return
    statement = {row[0]: row for row in checks.trajectory_rows_sql(now, cfg, list(ids.values()))}
    assert set(statement) == set(portable)
    for pk, row in statement.items():
        mine, name = portable[pk], by_id[pk]
        assert row[:4] == mine[:4], name  # the window and the count of positions
        # The longest gap and the farthest position: equal lengths may tie at different places.
        assert (row[4] is None) == (mine[4] is None) and (row[4] is None or row[5] - row[4] == mine[5] - mine[4]), name
        assert (row[9] is None and mine[9] is None) or row[9] == pytest.approx(mine[9], abs=1e-6), name
        if name == "gap":
            assert row[4:6] == mine[4:6]
        if name == "detour":
            assert row[6] == mine[6] and row[7:9] == pytest.approx(mine[7:9])
        assert row[10:12] == mine[10:12], name  # the stop away from both sites
        assert (row[12] is None and mine[12] is None) or row[12:] == pytest.approx(mine[12:], abs=1e-9), name
