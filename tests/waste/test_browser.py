"""The waste pages in headless Chromium against a live server, desktop and phone: the manifest of the
reference case (a truck to the power plant, refused, its trajectory missing) draws its route, the gap
and the long stop on the map; the list and the ledger render; no English leftovers in what users read.
Screenshots go to artifacts/."""
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from core import clock
from waste.models import TransferSettings
from waste.services.alerts import transfers_check
from tests.browsers import CHROMIUM, launch

from .support import T0, draft, ship, track, world

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ALLOWED_LATIN = {"SW02", "HW08", "IBC", "Leaflet", "Map", "data"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make test installs it)"),
]


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED_LATIN}


def test_route_map_list_and_ledger_in_a_browser(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    now = T0 + dt.timedelta(hours=1)
    with clock.frozen(now):
        w = world()
        TransferSettings.objects.update_or_create(pk=1, defaults={"stop_minutes": 8})
        rows = [r for i, r in enumerate(track()) if not 12 < i < 30]  # 18 minutes without positions
        for row in rows[2:12]:  # and a 9-minute stop a kilometre out
            row.update(latitude=rows[2]["latitude"], longitude=rows[2]["longitude"], speed=0)
        manifest = ship(w, draft(w), rows=rows, refuse="车辆运输轨迹缺失，拒收")
        transfers_check(now)
        draft(w)
    client = Client()
    client.force_login(w.officer)
    session = client.cookies["sessionid"].value
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            sizes = (("desktop", {"width": 1400, "height": 900}), ("phone", {"width": 390, "height": 844}))
            for size, viewport in sizes:
                context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=size == "phone")
                context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{live_server.url}/waste/{manifest.pk}/")
                page.wait_for_selector('#routemap[data-loaded="1"]', timeout=15_000)
                assert page.locator("path.leaflet-interactive").count() >= 4  # route, gap, two ends, the stop
                assert page.locator('path[stroke="#d73027"]').count() == 1  # the dashed gap
                assert page.locator('path[stroke="#2c7bb6"]').count() == 2  # the trajectory on both sides
                text = page.inner_text("main")
                assert "运输轨迹缺失" in text and "已拒收" in text and "1 处轨迹中断" in text
                assert not english_words(text), english_words(text)
                page.screenshot(path=str(ARTIFACTS / f"waste-manifest-{size}.png"), full_page=True)
                page.goto(f"{live_server.url}/waste/")
                text = page.inner_text("main")
                assert "共 2 张联单" in text and not english_words(text), english_words(text)
                page.screenshot(path=str(ARTIFACTS / f"waste-list-{size}.png"), full_page=True)
                page.goto(f"{live_server.url}/waste/ledger/?enterprise={w.producer.pk}")
                assert not english_words(page.inner_text("main"))
                page.screenshot(path=str(ARTIFACTS / f"waste-ledger-{size}.png"), full_page=True)
                assert not errors, errors
                context.close()
        finally:
            browser.close()
    assert (ARTIFACTS / "waste-manifest-desktop.png").stat().st_size > 10_000
