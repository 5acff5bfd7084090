"""A question goes from asked to answered to published, and at each step the right people see it and
no one else: the asking enterprise, the staff of its route (bureau or its township), then, anonymised,
everybody in the FAQ. Deadlines, overdue state and the KPI, attachments, the API."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import clock
from notifications.models import Notification
from outreach import selectors
from outreach.models import FaqEntry, Question
from outreach.services import questions
from outreach.services.errors import OutreachError

from .conftest import logged_in

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def _sees(user, question) -> bool:
    page = logged_in(user).get(f"/outreach/questions/{question.pk}/")
    assert page.status_code in (200, 404)
    return page.status_code == 200


def test_township_question_from_asked_to_published(county):
    c = county
    with clock.frozen(T0):
        page = logged_in(c.account_a).post("/outreach/questions/ask/", {
            "topic": "local", "title": "危废暂存间怎么设置？",
            "body": "我司（甲镇印染有限公司，联系人王建国，电话13912345678）想新建危废暂存间，需要满足哪些要求？",
            "files": [_png()]})
    assert page.status_code == 302
    question = Question.objects.get()
    assert (question.route, question.township, question.state) == ("township", c.a, "waiting")
    assert question.due_at == T0 + dt.timedelta(hours=72)
    assert question.messages.get().attachments.get().content_type == "image/png"
    # asked: the enterprise, its township and county-wide staff see it; nobody else does
    seen = {name: _sees(getattr(c, name), question) for name in
            ("account_a", "officer_a", "bureau", "enforcement", "account_a2", "account_b", "officer_b")}
    assert seen == {"account_a": True, "officer_a": True, "bureau": True, "enforcement": True,
                    "account_a2": False, "account_b": False, "officer_b": False}
    attachment = question.messages.get().attachments.get()
    assert logged_in(c.officer_a).get(f"/outreach/questions/files/{attachment.pk}/").status_code == 200
    assert logged_in(c.officer_b).get(f"/outreach/questions/files/{attachment.pk}/").status_code == 404
    assert Notification.objects.filter(user=c.officer_a, kind="question").count() == 1
    assert not Notification.objects.filter(user=c.officer_b).exists()
    # another township may not answer, and the enterprise cannot answer itself
    assert logged_in(c.officer_b).post(f"/outreach/questions/{question.pk}/act/",
                                       {"action": "answer", "body": "x"}).status_code == 404
    refused = logged_in(c.account_a).post(f"/outreach/questions/{question.pk}/act/", {"action": "answer", "body": "x"})
    assert refused.status_code == 403 and "不能答复" in refused.content.decode()
    # answered in time by the township
    with clock.frozen(T0 + dt.timedelta(hours=20)):
        page = logged_in(c.officer_a).post(f"/outreach/questions/{question.pk}/act/", {
            "action": "answer", "body": "应按 GB 18597 设置防渗、防雨、标识，王建国可来电 0573-88001234 咨询。"})
    assert page.status_code == 302
    question.refresh_from_db()
    assert (question.state, question.answered_late) == ("answered", False)
    assert Notification.objects.filter(enterprise=c.ent_a, kind="question_answered").count() == 1
    assert not FaqEntry.objects.exists()
    # published: anonymised, visible in the public FAQ to anyone, the thread still private
    with clock.frozen(T0 + dt.timedelta(hours=21)):
        assert logged_in(c.officer_a).post(f"/outreach/questions/{question.pk}/act/",
                                           {"action": "publish", "public": "1"}).status_code == 302
    entry = FaqEntry.objects.get()
    texts = entry.title + entry.question_text + entry.answer_text
    for secret in ("甲镇印染有限公司", "王建国", "13912345678", "0573-88001234", c.ent_a.credit_code):
        assert secret not in texts
    assert "GB 18597" in entry.answer_text and "危废暂存间" in entry.question_text
    from django.test import Client

    public = Client().get("/outreach/faq/", {"q": "暂存间"}).content.decode()
    assert "GB 18597" in public and "甲镇印染有限公司" not in public
    assert "GB 18597" not in Client().get("/outreach/faq/", {"q": "噪声"}).content.decode()
    assert _sees(c.account_b, question) is False and _sees(c.officer_b, question) is False
    with pytest.raises(OutreachError):
        questions.question_publish(user=c.officer_a, question=question)  # only once


def test_bureau_topics_are_not_the_township_s(county):
    c = county
    with clock.frozen(T0):
        question = questions.question_ask(user=c.account_a, topic="permit", title="执行报告在哪里提交？",
                                          body="年度执行报告在哪个平台提交？")
    assert question.route == "bureau"
    assert _sees(c.bureau, question) and _sees(c.account_a, question)
    assert not _sees(c.officer_a, question) and not _sees(c.account_b, question)
    with pytest.raises(OutreachError) as refused:
        questions.question_answer(user=c.officer_a, question=question, body="不归我管")
    assert refused.value.status_code == 403


def test_deadline_overdue_reply_and_kpi(county):
    c = county
    with clock.frozen(T0):
        late = questions.question_ask(user=c.account_a, topic="permit", title="问题一", body="内容")
        quick = questions.question_ask(user=c.account_a2, topic="law", title="问题二", body="内容")
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        questions.question_answer(user=c.bureau, question=quick, body="答复")
    now = T0 + dt.timedelta(hours=80)
    assert set(Question.objects.filter(selectors.overdue_q(now))) == {late}
    kpi = selectors.answer_kpi(now=now)
    assert (kpi["asked"], kpi["answered"], kpi["overdue"], kpi["on_time"]) == (2, 1, 1, 1)
    assert kpi["on_time_rate"] == 0.5 and kpi["mean_hours_to_answer"] == pytest.approx(2)
    with clock.frozen(now):
        page = logged_in(c.bureau).get("/outreach/questions/", {"state": "waiting"}).content.decode()
        assert "问题一" in page and "已超期" in page
        questions.question_answer(user=c.bureau, question=late, body="迟到的答复")
    late.refresh_from_db()
    assert late.answered_late
    # the enterprise asks again: waiting again, with a fresh deadline; then it closes it
    with clock.frozen(now + dt.timedelta(hours=1)):
        questions.question_reply(user=c.account_a, question=late, body="还有一个问题")
    late.refresh_from_db()
    assert late.state == "waiting" and late.due_at == now + dt.timedelta(hours=73)
    with pytest.raises(OutreachError):
        questions.question_reply(user=c.account_b, question=late, body="别人的问题")
    questions.question_close(user=c.account_a, question=late)
    with pytest.raises(OutreachError) as closed:
        questions.question_reply(user=c.account_a, question=late, body="再问")
    assert closed.value.status_code == 409


def test_bad_input_is_refused_with_its_reason(county):
    c = county
    page = logged_in(c.account_a).post("/outreach/questions/ask/", {"topic": "local", "title": "", "body": "x"})
    assert page.status_code == 400 and "标题不能为空" in page.content.decode()
    fake = SimpleUploadedFile("a.pdf", b"not really a pdf", content_type="application/pdf")
    page = logged_in(c.account_a).post("/outreach/questions/ask/",
                                       {"topic": "local", "title": "t", "body": "x", "files": [fake]})
    assert page.status_code == 400 and "PDF" in page.content.decode()
    assert not Question.objects.exists()
    assert logged_in(c.officer_a).get("/outreach/questions/ask/").status_code == 403


def test_api_for_the_mobile_clients(county):
    c = county
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(c.account_a)
    made = api.post("/api/v1/questions/", {"topic": "local", "title": "噪声怎么测", "body": "厂界噪声多久测一次？"},
                    format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    officer = APIClient()
    officer.force_authenticate(c.officer_a)
    assert officer.post(f"/api/v1/questions/{pk}/answer/", {"body": "每季度一次"}, format="json").status_code == 200
    other = APIClient()
    other.force_authenticate(c.officer_b)
    assert other.get(f"/api/v1/questions/{pk}/").status_code == 404
    assert other.get("/api/v1/questions/").json()["count"] == 0
    thread = api.get(f"/api/v1/questions/{pk}/").json()
    assert [m["kind"] for m in thread["messages"]] == ["question", "answer"] and thread["state"] == "answered"
    assert api.post(f"/api/v1/questions/{pk}/close/").json()["state"] == "closed"
    assert api.post(f"/api/v1/questions/{pk}/close/").status_code == 409
    bad = api.post("/api/v1/questions/", {"topic": "nope", "title": "t", "body": "b"}, format="json")
    assert bad.status_code == 400 and "topic" in bad.json()
