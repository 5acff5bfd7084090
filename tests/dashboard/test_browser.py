"""The dashboard in a real headless browser (Debian's chromium driven by Playwright) against a live server:
the one map loads by viewport (clusters at county zoom, the enterprises at street zoom), a filter changes
them, the side panel opens, the phone layout puts the panel under the map; the risk map draws the
townships and the KPI page its charts; screenshots are saved under artifacts/."""
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from enterprises.models import Role
from tests import factories as f
from tests.browsers import CHROMIUM, launch

from .helpers import coloured, open_alert

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make test installs it)"),
]


def test_map_renders_markers_filters_and_opens_the_panel(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    a, b = f.township("甲镇"), f.township("乙镇")
    colours = ["green", "green", "blue", "yellow", "orange", "red"]
    ents = [coloured(a if i % 2 else b, colours[i % len(colours)], lat=30.60 + 0.004 * i, lon=120.50 + 0.004 * i)
            for i in range(24)]
    red = [e for i, e in enumerate(ents) if colours[i % len(colours)] == "red"]
    open_alert(red[0])
    django_client = Client()
    django_client.force_login(f.user(Role.BUREAU))
    session = django_client.cookies["sessionid"].value

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            page = context.new_page()
            errors, fetched = [], []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: fetched.append(r.url) if "/dashboard/api/map" in r.url else None)
            page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
            page.goto(f"{live_server.url}/")  # the site root leads staff to the dashboard
            assert page.url.endswith("/dashboard/")
            page.wait_for_selector('#map[data-loaded="1"]', timeout=15_000)
            assert page.inner_text("#marker-count") == "24"
            page.wait_for_selector(".leaflet-marker-icon")
            assert page.get_attribute("#map", "data-mode") == "clusters"
            assert page.locator(".cluster").count() > 0  # 0.004° apart: grouped at the framing zoom
            title = page.locator(".leaflet-marker-icon[title]").first.get_attribute("title")
            assert "点击放大" in title and re.search(r"[绿蓝黄橙红] \d", title), title  # the colour mix: "绿 2，蓝 1"
            assert fetched and all("/dashboard/api/map/view/?bbox=" in u and "zoom=" in u for u in fetched), fetched
            page.screenshot(path=str(ARTIFACTS / "dashboard-map-all.png"))

            page.select_option("#f-colour", "red")
            # selectors, not wait_for_function: the pages' Content-Security-Policy forbids eval
            page.wait_for_selector('#map[data-count="%d"]' % len(red), timeout=15_000)
            page.wait_for_selector('#map[data-loaded="1"]')
            assert page.inner_text("#marker-count") == str(len(red))

            page.select_option("#f-warnings", "1")
            page.wait_for_selector('#map[data-count="1"]', timeout=15_000)
            page.wait_for_selector('#map[data-loaded="1"]')
            page.locator(".leaflet-marker-icon").first.click()
            page.wait_for_selector(f'#panel[data-enterprise="{red[0].pk}"]', timeout=15_000)
            assert red[0].name in page.inner_text("#panel")
            page.screenshot(path=str(ARTIFACTS / "dashboard-map.png"), full_page=True)

            page.select_option("#f-warnings", "")
            page.select_option("#f-colour", "")
            page.wait_for_selector('#map[data-count="24"]', timeout=15_000)
            page.wait_for_selector('#map[data-loaded="1"]')
            page.wait_for_selector(".cluster")
            page.locator(".cluster").first.click()  # zooms in by two levels: street zoom, the enterprises
            page.wait_for_selector('#map[data-mode="points"]', timeout=15_000)
            assert page.locator(".cluster").count() == 0 and page.locator(".ent-marker").count() > 0
            page.screenshot(path=str(ARTIFACTS / "dashboard-map-street.png"))

            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        device_scale_factor=2, locale="zh-CN")
            phone.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            small = phone.new_page()
            small.on("pageerror", lambda exc: errors.append(str(exc)))
            small.goto(f"{live_server.url}/dashboard/")
            small.wait_for_selector('#map[data-loaded="1"]', timeout=15_000)
            assert small.inner_text("#marker-count") == "24"
            box, panel = small.locator("#map").bounding_box(), small.locator("#panel").bounding_box()
            assert box["width"] >= 380 and box["height"] >= 320 and panel["y"] >= box["y"] + box["height"] - 1
            small.screenshot(path=str(ARTIFACTS / "dashboard-map-phone.png"), full_page=True)
            phone.close()

            page.goto(f"{live_server.url}/dashboard/risk/")  # both townships drawn as coloured polygons
            page.wait_for_selector("path.leaflet-interactive")
            assert page.locator("path.leaflet-interactive").count() == 2
            page.screenshot(path=str(ARTIFACTS / "dashboard-risk.png"))
            page.goto(f"{live_server.url}/dashboard/kpis/")  # Chart.js draws the four trend charts
            for _ in range(150):
                if page.evaluate("() => window.Chart ? Object.keys(Chart.instances).length : 0") == 4:
                    break
                page.wait_for_timeout(100)
            assert page.evaluate("() => Object.keys(Chart.instances).length") == 4
            page.screenshot(path=str(ARTIFACTS / "dashboard-kpis.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard-map.png").stat().st_size > 10_000
