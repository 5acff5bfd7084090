"""Each role's main job in a real headless browser, from login to result, each at phone and desktop size:
the township officer accepts an order and passes it to a grid (the order page and /m/township/), the grid
officer feeds back with a photo (chosen through a zh-Hans label, not the browser's own file button) and
the location it consented to share; the bureau issues a self-check campaign, the enterprise completes its
notice on /m/enterprise/, and the bureau sees it completed; the enterprise sees why it lost points and
acknowledges a warning.
Screenshots go to ``artifacts/``."""
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch import services
from dispatch.models import Attachment, Campaign, Feedback, SelfCheckNotice, WorkOrder
from notifications.models import Notification

from .conftest import PASSWORD, jpeg_bytes
from .test_mobile import ARTIFACTS, CHROMIUM, browser, eventually, fill_round  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium not installed")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
# Where the grid officer stands (Tongxiang, Zhejiang).
HERE = {"latitude": 30.6302, "longitude": 120.5651}


def new_page(browser, viewport, **context):
    page = browser.new_context(viewport=viewport, locale="zh-CN", **context).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def desktop_login(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def mobile_login(page, live_server, client, user):
    page.goto(f"{live_server.url}/m/{client}/")
    page.fill("#login input[name=username]", user.username)
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")


@pytest.mark.parametrize("size", SIZES)
def test_township_accepts_and_passes_to_a_grid_on_the_order_page(world, live_server, browser, size):
    order = services.work_order_open(source="complaint", title="夜间异味扰民", enterprise=world.ent_g)
    assert order.assignee_kind == "township"
    page, errors = new_page(browser, SIZES[size])
    desktop_login(page, live_server, world.users["township_a"], f"/dispatch/orders/{order.pk}/")
    page.click("button[data-action=accept]")
    assert eventually(lambda: WorkOrder.objects.get(pk=order.pk).state == "accepted")
    page.select_option("select[name=grid]", str(world.grid_a.pk))
    page.click("button[data-action=pass_to_grid]")
    assert eventually(lambda: WorkOrder.objects.get(pk=order.pk).grid_id == world.grid_a.pk)
    history = page.inner_text("body")
    assert "转派网格" in history and "pass_to_grid" not in history  # the history names the action in Chinese
    page.screenshot(path=str(ARTIFACTS / f"people-township-order-page-{size}.png"), full_page=True)
    assert Notification.objects.filter(user=world.users["grid_a"], kind="workorder_reassigned").count() == 1
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_township_passes_to_a_grid_and_the_grid_feeds_back_with_photo_and_location(world, live_server, browser,
                                                                                    tmp_path, size):
    complaint = services.complaint_file(text="河道漂浮油污，气味刺鼻", channel="qr", enterprise=world.ent_g,
                                        photo=SimpleUploadedFile("river.jpg", jpeg_bytes(3), content_type="image/jpeg"))
    order = complaint.work_order
    page, errors = new_page(browser, SIZES[size])
    mobile_login(page, live_server, "township", world.users["township_a"])
    row = f"#orders li[data-order='{order.pk}']"
    page.wait_for_selector(row)
    page.click(f"{row} button[data-action=accept]")
    assert eventually(lambda: WorkOrder.objects.get(pk=order.pk).state == "accepted")
    page.wait_for_selector(f"{row} button[data-action=start]")  # the row re-rendered as accepted
    page.select_option(f"{row} select[name=grid]", str(world.grid_a.pk))
    page.click(f"{row} button[data-action=pass-to-grid]")
    assert eventually(lambda: WorkOrder.objects.get(pk=order.pk).assignee_kind == "grid"), page.inner_text("#flash")
    page.screenshot(path=str(ARTIFACTS / f"people-township-{size}.png"), full_page=True)
    assert errors == []

    grid, errors = new_page(browser, SIZES[size], geolocation=HERE, permissions=["geolocation"])
    mobile_login(grid, live_server, "township", world.users["grid_a"])
    row = f"#orders li[data-order='{order.pk}']"
    grid.wait_for_selector(row)
    assert "河道漂浮油污，气味刺鼻" in grid.inner_text(row)  # the complaint's text, and its photo:
    grid.wait_for_function("(sel) => { const i = document.querySelector(sel); return i && i.naturalWidth > 0; }",
                           arg=f"{row} img.evidence")
    grid.click(f"{row} button[data-action=accept]")
    grid.click(f"{row} button[data-action=start]")
    grid.wait_for_selector(f"{row} form.feedback")
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(jpeg_bytes(5))
    grid.fill(f"{row} textarea[name=text]", "已清理油污并溯源至企业雨水口")
    assert grid.inner_text(f"{row} label.file-button") == "拍照或选择照片"  # not the browser's "Choose File"
    grid.set_input_files(f"{row} input[type=file]", str(photo))
    assert grid.inner_text(f"{row} .file-name") == "evidence.jpg"
    grid.check(f"{row} input[name=share_location]")
    grid.screenshot(path=str(ARTIFACTS / f"people-grid-feedback-{size}.png"), full_page=True)
    grid.click(f"{row} form.feedback button[type=submit]")
    assert eventually(lambda: WorkOrder.objects.get(pk=order.pk).state == "fed_back")
    feedback = Feedback.objects.get(work_order=order)
    assert feedback.submitted_by == world.users["grid_a"]
    item = Attachment.objects.get(feedback=feedback)
    assert (round(item.latitude, 4), round(item.longitude, 4)) == (HERE["latitude"], HERE["longitude"])
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_bureau_issues_a_self_check_campaign_and_sees_it_completed(world, live_server, browser, size):
    page, errors = new_page(browser, SIZES[size])
    desktop_login(page, live_server, world.users["bureau"], "/dispatch/campaigns/")
    page.fill("#id_title", "十二月汛后自查")
    page.select_option("#id_township", str(world.town_a.pk))
    page.click("#campaign-form button[type=submit]")
    page.wait_for_selector("#campaigns tr[data-campaign]")
    campaign = Campaign.objects.get(title="十二月汛后自查")
    notice = SelfCheckNotice.objects.get(campaign=campaign, enterprise=world.ent_a)
    issued = SelfCheckNotice.objects.filter(campaign=campaign).count()
    row = f"#campaigns tr[data-campaign='{campaign.pk}']"
    assert page.inner_text(f"{row} .issued") == str(issued) and page.inner_text(f"{row} .completed") == "0"
    assert Notification.objects.filter(kind="self_check_notice", enterprise=world.ent_a).exists()

    phone, phone_errors = new_page(browser, SIZES[size])
    mobile_login(phone, live_server, "enterprise", world.users["ent_a"])
    phone.wait_for_selector(f"#notices li[data-notice='{notice.pk}']")
    assert "十二月汛后自查" in phone.inner_text(f"#notices li[data-notice='{notice.pk}']")  # its title, not a code
    phone.click(f"#notices li[data-notice='{notice.pk}'] button")
    fill_round(phone)
    assert eventually(lambda: SelfCheckNotice.objects.get(pk=notice.pk).completed_at is not None)
    phone.screenshot(path=str(ARTIFACTS / f"people-enterprise-campaign-{size}.png"), full_page=True)

    page.reload()
    assert page.inner_text(f"{row} .completed") == "1"
    page.screenshot(path=str(ARTIFACTS / f"people-bureau-campaigns-{size}.png"), full_page=True)
    assert errors == [] and phone_errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_enterprise_sees_why_it_lost_points_and_acknowledges_a_warning(world, live_server, browser, size):
    from alerts.models import Alert
    from ecocode.services import scoring

    scoring.run(trigger="on_demand", enterprise_ids=[world.ent_a.pk])  # its open warning costs points
    page, errors = new_page(browser, SIZES[size])
    mobile_login(page, live_server, "enterprise", world.users["ent_a"])
    page.wait_for_selector("#ecocode .chip[data-colour]")
    colour = page.get_attribute("#ecocode .chip", "data-colour")
    assert colour and page.inner_text("#ecocode .chip").endswith("码")
    page.wait_for_selector("#ecocode ul.reasons li")
    assert page.locator("#ecocode ul.reasons li").count() >= 1
    page.click(f"#alerts li[data-alert='{world.alert_a.pk}'] button")
    assert eventually(lambda: Alert.objects.get(pk=world.alert_a.pk).state == "acknowledged")
    page.screenshot(path=str(ARTIFACTS / f"people-enterprise-ecocode-{size}.png"), full_page=True)
    assert errors == []
