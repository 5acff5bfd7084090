"""The outreach pages in a real headless browser (Debian's chromium through Playwright) at desktop and
phone size: an enterprise asks, takes an exam and reads its articles; staff answer and see results.
Screenshots go to artifacts/outreach-*.png."""
import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.test import Client

from core import clock
from outreach.models import BankQuestion
from outreach.services import articles, exams, healthchecks, questions
from tests.browsers import CHROMIUM, launch

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (make test installs it)"),
]


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _content(county):
    c = county
    q = questions.question_ask(user=c.account_a, topic="local", title="厂区雨污分流改造需要备案吗？",
                               body="我们准备改造雨水管网，要向镇里报备吗？")
    questions.question_answer(user=c.officer_a, question=q, body="请将改造方案报镇生态环境办备案，完工后通知现场核查。")
    questions.question_publish(user=c.officer_a, question=q)
    questions.question_ask(user=c.account_a2, topic="local", title="危废暂存间要求", body="需要满足哪些要求？")
    article = articles.article_publish(user=c.bureau, title="《排污许可管理条例》全文及解读", body="条例共七章五十一条……",
                                       topic="law", industries=[c.dye])
    articles.article_push(user=c.bureau, article=article, townships=[c.a, c.b])
    for n in range(3):
        BankQuestion.objects.create(kind="single", text=f"第{n + 1}题：排污许可证的有效期一般为几年？",
                                    options=["3年", "5年", "10年"], correct=[1])
    BankQuestion.objects.create(kind="multiple", text="执行报告分为哪些？", options=["年报", "季报", "月报", "周报"],
                                correct=[0, 1, 2])
    now = clock.now()
    exam = exams.exam_create(user=c.bureau, title="《排污许可管理条例》知识考试", time_limit_minutes=30,
                             opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=7), count=4, seed=2)
    other = exams.attempt_start(user=c.account_b, exam=exam)
    exams.attempt_submit(user=c.account_b, attempt=other, answers={i.pk: [1] for i in exam.items.all()})
    healthchecks.health_check_record(user=c.officer_a, enterprise=c.ent_a,
                                     checked_on=now.date() - dt.timedelta(days=30), summary="危废管理存在隐患。", items=[
                                         {"risk": "危废暂存间未做防渗", "measure": "铺设防渗层",
                                          "deadline": now.date() - dt.timedelta(days=5), "severity": "high"},
                                         {"risk": "台账不全", "measure": "补齐运行台账",
                                          "deadline": now.date() + dt.timedelta(days=20)}])
    return q, exam


def test_pages_at_desktop_and_phone_size(live_server, transactional_db, county):
    from playwright.sync_api import sync_playwright

    question, exam = _content(county)
    pages = {
        "enterprise": (county.account_a, ["/outreach/", "/outreach/articles/", "/outreach/exams/",
                                          f"/outreach/questions/{question.pk}/", "/outreach/reports/"]),
        "staff": (county.officer_a, ["/outreach/questions/", f"/outreach/exams/{exam.pk}/results/",
                                     "/outreach/health/"]),
    }
    sessions = {user.pk: _session(user) for user, _paths in pages.values()}
    sessions[county.account_a2.pk] = _session(county.account_a2)  # before Playwright: its loop forbids DB calls
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{live_server.url}/outreach/faq/")  # public, no login
                assert "厂区雨污分流改造需要备案吗？" in page.inner_text("body")
                page.screenshot(path=str(ARTIFACTS / f"outreach-faq-{size}.png"), full_page=True)
                for role, (user, paths) in pages.items():
                    context.clear_cookies()
                    context.add_cookies([{"name": "sessionid", "value": sessions[user.pk], "url": live_server.url}])
                    for path in paths:
                        response = page.goto(f"{live_server.url}{path}")
                        assert response.status == 200, path
                        name = path.strip("/").replace("/", "-").replace("outreach", "").strip("-") or "home"
                        page.screenshot(path=str(ARTIFACTS / f"outreach-{role}-{name}-{size}.png"), full_page=True)
                # the enterprise starts the exam and submits it in the browser
                context.clear_cookies()
                context.add_cookies([{"name": "sessionid", "value": sessions[county.account_a2.pk],
                                      "url": live_server.url}])
                page.goto(f"{live_server.url}/outreach/exams/")
                if size == "desktop":
                    page.click("text=开始答题")
                    page.wait_for_selector("button[type=submit]:has-text('交卷')")
                    for radio in page.locator("input[type=radio][value='1']").all():
                        radio.check()
                    page.screenshot(path=str(ARTIFACTS / f"outreach-attempt-{size}.png"), full_page=True)
                    page.click("button[type=submit]:has-text('交卷')")
                    page.wait_for_selector("text=已交卷")
                    page.screenshot(path=str(ARTIFACTS / f"outreach-attempt-scored-{size}.png"), full_page=True)
                assert not errors, errors
                context.close()
        finally:
            browser.close()
    assert (ARTIFACTS / "outreach-staff-questions-phone.png").stat().st_size > 5_000
