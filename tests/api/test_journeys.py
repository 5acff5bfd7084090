"""Two more roles' main jobs in a real headless browser, at phone and desktop sizes: the enforcement
officer finds an enterprise by name among many (the picker searches the server) and inspects it, sharing
the location he consented to; the public files a complaint from an enterprise's QR page. Screenshots go
to ``artifacts/``."""
import os

import pytest

from dispatch.models import Complaint, Round, WorkOrder
from tests import factories as f

from .conftest import _site
from .test_mobile import ARTIFACTS, CHROMIUM, browser, eventually, fill_round, open_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium not installed")]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
HERE = {"latitude": 30.6302, "longitude": 120.5651}  # Tongxiang, Zhejiang


@pytest.mark.parametrize("size", SIZES)
def test_the_enforcement_officer_finds_any_enterprise_by_name_and_inspects_it(world, live_server, browser, size):
    for _ in range(55):  # more than the 50 the picker lists unsearched; "测试企业…" sort before the target
        f.enterprise(world.town_b)
    target = f.enterprise(world.town_b, name=f"雅莹化纤有限公司{size}")
    _site(target)
    page, errors = open_page(browser, live_server, "enforcement", world.users["enforcement"], viewport=SIZES[size],
                             geolocation=HERE, permissions=["geolocation"])
    page.wait_for_selector("#enterprise option:nth-child(2)", state="attached")
    assert page.query_selector(f"#enterprise option[value='{target.pk}']") is None  # not among the first 50
    page.fill("#enterprise-search", "雅莹化纤")
    page.wait_for_selector(f"#enterprise option[value='{target.pk}']", state="attached")
    page.select_option("#enterprise", str(target.pk))
    page.click("#start-round")
    page.wait_for_selector("#round input[name=share_location]")
    page.check("#round input[name=share_location]")
    page.screenshot(path=str(ARTIFACTS / f"journey-enforcement-inspection-{size}.png"), full_page=True)
    fill_round(page)
    assert eventually(lambda: Round.objects.filter(kind="inspection", enterprise=target).exists()), \
        page.inner_text("#flash")
    done = Round.objects.get(kind="inspection", enterprise=target)
    assert done.performed_by == world.users["enforcement"]
    assert (round(done.latitude, 4), round(done.longitude, 4)) == (HERE["latitude"], HERE["longitude"])
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_public_files_a_complaint_from_a_qr_page(world, live_server, browser, size):
    page = browser.new_page(viewport=SIZES[size], locale="zh-CN")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/ecocode/p/{world.ent_a.eco_code.token}/")
    body = page.inner_text("body")
    assert world.ent_a.name in body and "化学需氧量" in body and "w01018" not in body  # names, not codes
    page.fill("textarea[name=text]", "厂区东侧排口夜间冒黑烟，气味刺鼻")
    page.fill("input[name=contact]", "13900000000")
    page.click("form button[type=submit]")
    page.wait_for_selector("a[href*='/dispatch/c/']")  # the receipt: a link to follow the complaint
    page.screenshot(path=str(ARTIFACTS / f"journey-public-complaint-{size}.png"), full_page=True)
    complaint = Complaint.objects.get(text="厂区东侧排口夜间冒黑烟，气味刺鼻")
    assert complaint.channel == "qr" and complaint.enterprise == world.ent_a
    assert WorkOrder.objects.filter(pk=complaint.work_order_id, enterprise=world.ent_a).exists()
    assert errors == []
