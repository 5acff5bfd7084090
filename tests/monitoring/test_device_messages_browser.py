"""The device-message page in headless Chromium, desktop and phone, from messages that came in through
ingestion: every message in words, in local time, no English left; screenshots go to artifacts/."""
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from enterprises.models import Role
from monitoring.services import ingest
from tests import factories
from tests.browsers import CHROMIUM, launch
from tests.monitoring.ingest_support import device
from tests.monitoring.test_device_messages import run, upload

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make test installs it)"),
]


def test_device_messages_page_in_a_browser(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    ingest.forget_pollutants()
    dev = device()
    run(upload(dev, "2081", "DataTime=20250301100000;RestartTime=20250301095812"),
        upload(dev, "2021", "DataTime=20250301100000;SB1-RS=1;SB2-RS=2", qn="20250301100000002"),
        upload(dev, "2041", "DataTime=20250301000000;SB1-RT=23.5", qn="20250301100000003"),
        upload(dev, "2062", "DataTime=20250301100000;w21003-SampleTime=20250301090000,w21003-Rtd=5.02,"
                            "w21003-Flag=N", qn="20250301100000004"),
        upload(dev, "9012", "ExeRtn=1", qn="20250301115900000", flag=4))
    client = Client()
    client.force_login(factories.user(Role.BUREAU, first_name="李明"))
    session = client.cookies["sessionid"].value
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for size, viewport in (("desktop", {"width": 1400, "height": 900}), ("phone", {"width": 390, "height": 844})):
                context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=size == "phone")
                context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
                page = context.new_page()
                page.goto(f"{live_server.url}/monitoring/messages/")
                text = page.inner_text("body")
                for words in ("开机时间 2025-03-01 09:58:12", "仪器 1：运行状态 运行", "仪器 2：运行状态 校准",
                              "运行时间 23.5 小时", "氨氮：采样时间 2025-03-01 09:00:00，实时值 5.02 mg/L，数据标记 正常",
                              "结果：执行成功", "2025-03-01 12:00:30"):
                    assert words in text, (words, text[-900:])
                assert not {w for w in re.findall(r"[A-Za-z]{3,}", text)}, text
                if size == "phone":  # the rows stack, each cell with its column's name
                    assert page.evaluate("document.documentElement.scrollWidth") <= 390
                    label = "getComputedStyle(document.querySelector('td[data-label]'), '::before').content"
                    assert page.evaluate(label) == '"接收时间："'
                page.screenshot(path=str(ARTIFACTS / f"device-messages-{size}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
