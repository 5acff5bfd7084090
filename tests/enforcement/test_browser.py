"""The enterprise file, the monthly plan, a case page, the off-site inspection form and an on-site record in
a real headless browser (Debian's chromium driven by Playwright) at desktop and phone sizes: the strip
shows 12 + 12 cells, the off-site evidence stands beside the form on a desktop and above it on a phone, the
pages are in zh-Hans and fit the phone's width; screenshots are saved under artifacts/enforcement/."""
import datetime as dt
import shutil
import uuid
from pathlib import Path

import pytest
from django.test import Client

from alerts.models import Alert
from core import clock
from dispatch.services import checklist_build
from enforcement import services
from enforcement.models import DiscretionArticle
from tests import factories as f
from tests.browsers import CHROMIUM, launch

from .support import coloured, officers

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "enforcement"
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make test installs it)"),
]


def _history():
    town = f.township("梧桐街道")
    ent = coloured("orange", town, name="桐乡市恒达印染有限公司")
    out = f.outlet(f.permit(ent), limits={"w01018": 100, "w21003": 15})
    lead, second = officers(2)
    now = clock.now()
    for days in (20, 130, 400, 700):
        at = now - dt.timedelta(days=days)
        Alert.objects.create(outlet=out, enterprise=ent, rule="exceedance" if days % 20 == 0 else "missing_data",
                             opened_at=at, last_seen_at=at, state="resolved", resolved_at=at + dt.timedelta(hours=3))
    lines = checklist_build(permit=ent.permits.get()).lines.all()
    start = now - dt.timedelta(days=10)
    insp = services.inspection_record_on_site(
        user=lead, enterprise=ent, officers=[second], client_uuid=uuid.uuid4(), started_at=start,
        ended_at=start + dt.timedelta(hours=1), latitude=30.6312, longitude=120.5621, findings="化学需氧量超标",
        case_lead=True, answers=[{"line": line.pk, "result": "fail" if line.category == "limit" else "pass",
                                  "note": "化学需氧量 1 小时均值 132 mg/L"} for line in lines])
    case = services.case_file(case=insp.cases.get(), user=lead, filing_number="桐环立〔2026〕31号",
                              article=DiscretionArticle.objects.get(code="WPL-83-2"), filed_on=start.date())
    plan = services.plan_draw(year=now.year, month=now.month, user=f.bureau_user(), seed=20261201)
    return ent, case, plan, lead


def test_pages_in_a_browser_at_desktop_and_phone_sizes(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    ent, case, plan, lead = _history()
    django_client = Client()
    django_client.force_login(lead)
    session = django_client.cookies["sessionid"].value
    now = clock.now()
    pages = {"enterprise-file": f"/enforcement/enterprises/{ent.pk}/",
             "plan": f"/enforcement/plans/?year={now.year}&month={now.month}",
             "case": f"/enforcement/cases/{case.pk}/", "off-site": f"/enforcement/enterprises/{ent.pk}/off-site/",
             "record": f"/enforcement/inspections/{case.inspection_id}/record/"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(live_server.url + path)
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
                    body = page.inner_text("body")
                    assert "Enforcement" not in body and "Case lead" not in body
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, (name, size, overflow)
                page.goto(live_server.url + pages["enterprise-file"])
                assert page.locator(".strip").count() == 2 and page.locator(".strip span").count() == 24
                assert page.locator(".strip .lv-case").count() == 2  # this month and this quarter
                page.goto(live_server.url + pages["off-site"])  # the evidence beside the form, or above it
                evidence, form = page.locator(".evidence").bounding_box(), page.locator(".off-site-form").bounding_box()
                if size == "phone":
                    assert form["y"] >= evidence["y"] + evidence["height"] - 1
                else:
                    assert form["x"] >= evidence["x"] + evidence["width"] - 1 and form["y"] < evidence["y"] + 50
                assert page.locator(".off-site-form fieldset").count() == 4
                page.goto(live_server.url + pages["case"])
                assert "建议裁量" in page.inner_text("body") and "240000" in page.inner_text("body")
                context.close()
        finally:
            browser.close()
