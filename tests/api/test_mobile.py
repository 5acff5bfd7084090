"""The three mobile pages in a real headless browser (Debian's chromium driven by Playwright) against
the live server: log in, see my items, act. Screenshots go to ``artifacts/``."""
import os
import time
from pathlib import Path

import pytest

from alerts.models import Alert
from dispatch import services
from dispatch.models import Attachment, Round, SelfCheckNotice, WorkOrder
from tests.browsers import CHROMIUM, launch

from .conftest import PASSWORD, jpeg_bytes

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium not installed")]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM checks are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def eventually(check, timeout: float = 10.0):
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


def open_page(browser, live_server, client: str, user, viewport=None, **context):
    context.setdefault("locale", "zh-CN")
    page = browser.new_context(viewport=viewport or {"width": 390, "height": 844}, **context).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/m/{client}/")
    page.fill("#login input[name=username]", user.username)
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")
    return page, errors


def fill_round(page):
    """Answer every line of the round on screen with pass, then submit."""
    page.wait_for_selector("#round .line")
    for line in page.query_selector_all("#round .line"):
        line.query_selector("input[value=pass]").check()
        for _ in range(100):  # no wait_for_function: the page's Content-Security-Policy forbids eval
            if line.evaluate("(el) => el.classList.contains('answered')"):
                break
            page.wait_for_timeout(50)
    page.click("#submit-round")


def test_enterprise_page_acknowledges_a_warning_and_submits_a_self_check(world, live_server, browser):
    page, errors = open_page(browser, live_server, "enterprise", world.users["ent_a"])
    page.wait_for_selector(f"#alerts li[data-alert='{world.alert_a.pk}']")
    assert page.query_selector(f"#alerts li[data-alert='{world.alert_b.pk}']") is None  # not mine
    page.click(f"#alerts li[data-alert='{world.alert_a.pk}'] button")
    assert eventually(lambda: Alert.objects.get(pk=world.alert_a.pk).state == "acknowledged")

    page.click(f"#notices li[data-notice='{world.notice_a.pk}'] button")
    fill_round(page)
    assert eventually(lambda: SelfCheckNotice.objects.get(pk=world.notice_a.pk).completed_at is not None)
    assert Round.objects.filter(notice=world.notice_a, kind="self_check").count() == 1
    page.wait_for_selector(f"#orders li[data-order='{world.order_a.pk}']")
    page.screenshot(path=str(ARTIFACTS / "mobile-enterprise.png"), full_page=True)
    assert errors == []


def test_township_page_accepts_and_feeds_back_with_a_photo_and_patrols(world, live_server, browser, tmp_path):
    page, errors = open_page(browser, live_server, "township", world.users["township_a"])
    row = f"#orders li[data-order='{world.order_a.pk}']"
    page.wait_for_selector(row)
    assert page.query_selector(f"#orders li[data-order='{world.order_b.pk}']") is None
    page.click(f"{row} button[data-action=accept]")
    assert eventually(lambda: WorkOrder.objects.get(pk=world.order_a.pk).state == "accepted")
    page.click(f"{row} button[data-action=start]")  # waits for the re-rendered row
    assert eventually(lambda: WorkOrder.objects.get(pk=world.order_a.pk).state == "handling")
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(jpeg_bytes(9))
    page.wait_for_selector(f"{row} form.feedback")
    page.fill(f"{row} textarea[name=text]", "已更换破损管道")
    page.set_input_files(f"{row} input[type=file]", str(photo))
    page.click(f"{row} form.feedback button[type=submit]")
    assert eventually(lambda: WorkOrder.objects.get(pk=world.order_a.pk).state == "fed_back")
    assert Attachment.objects.filter(feedback__work_order=world.order_a).count() == 1

    page.select_option("#enterprise", str(world.ent_a.pk))
    page.click("#start-round")
    fill_round(page)
    assert eventually(lambda: Round.objects.filter(kind="patrol", enterprise=world.ent_a).exists())
    page.screenshot(path=str(ARTIFACTS / "mobile-township.png"), full_page=True)
    assert errors == []


def test_enforcement_page_inspects_accepts_and_the_bureau_reviews(world, live_server, browser):
    page, errors = open_page(browser, live_server, "enforcement", world.users["enforcement"])
    page.select_option("#enterprise", str(world.ent_a.pk))
    page.click("#start-round")
    fill_round(page)
    assert eventually(lambda: Round.objects.filter(kind="inspection", enterprise=world.ent_a).exists())
    row = f"#orders li[data-order='{world.order_team.pk}']"
    page.wait_for_selector(row)
    page.click(f"{row} button[data-action=accept]")
    assert eventually(lambda: WorkOrder.objects.get(pk=world.order_team.pk).state == "accepted")
    assert page.is_hidden("#review-section")  # reviewing is the bureau's
    page.screenshot(path=str(ARTIFACTS / "mobile-enforcement.png"), full_page=True)

    officer = world.users["township_a"]
    for step in ("accept", "start"):
        services.work_order_act(order_id=world.order_a.pk, action=step, user=officer)
    services.feedback_submit(order_id=world.order_a.pk, user=officer, text="已整改")
    page.click("#logout")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login input[name=username]", world.users["bureau"].username)
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    review = f"#review li[data-order='{world.order_a.pk}']"
    page.wait_for_selector(review)
    page.click(f"{review} button[data-action=approve]")
    assert eventually(lambda: WorkOrder.objects.get(pk=world.order_a.pk).state == "reviewed")
    page.screenshot(path=str(ARTIFACTS / "mobile-enforcement-review.png"), full_page=True)
    assert errors == []
