"""Online exams: a known answer sheet scores as computed by hand, answers after the time limit are
refused, an enterprise cannot take an exam twice unless staff allow a retake; results per industry
and township and the selector for an eco-code indicator; the pages and the API."""
import datetime as dt
from decimal import Decimal

import pytest

from core import clock
from outreach import selectors
from outreach.models import Attempt, BankQuestion
from outreach.services import exams
from outreach.services.errors import OutreachError

from .conftest import logged_in

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def exam(county):
    bank = [
        BankQuestion.objects.create(kind="single", text="排污许可证有效期为几年？", options=["3年", "5年", "10年"],
                                    correct=[1], topic="permit"),
        BankQuestion.objects.create(kind="multiple", text="执行报告包括哪些？", options=["年报", "季报", "月报", "周报"],
                                    correct=[0, 1, 2], topic="permit"),
        BankQuestion.objects.create(kind="true_false", text="无证排污可以处罚。", options=["对", "错"], correct=[0],
                                    topic="permit"),
        BankQuestion.objects.create(kind="single", text="在线监测数据应保存多久？", options=["1年", "3年", "5年"],
                                    correct=[1], topic="permit"),
    ]
    with clock.frozen(T0):
        made = exams.exam_create(user=county.bureau, title="排污许可管理条例考试", time_limit_minutes=30,
                                 opens_at=T0, closes_at=T0 + dt.timedelta(days=7), count=4, topic="permit", seed=1)
    items = {item.question_id: item.pk for item in made.items.all()}
    return made, {q.text: items[q.pk] for q in bank}


def _sheet(items, single, multiple, truth, keep):
    return {items["排污许可证有效期为几年？"]: single, items["执行报告包括哪些？"]: multiple,
            items["无证排污可以处罚。"]: truth, items["在线监测数据应保存多久？"]: keep}


def test_a_known_answer_sheet_scores_right(county, exam):
    made, items = exam
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        attempt = exams.attempt_start(user=county.account_a, exam=made)
    assert attempt.taker_name == "王建国" and attempt.deadline_at == T0 + dt.timedelta(minutes=31)
    # single right, multiple only partly chosen (wrong), true/false right, last wrong: 2 of 4
    with clock.frozen(T0 + dt.timedelta(minutes=10)):
        scored = exams.attempt_submit(user=county.account_a, attempt=attempt,
                                      answers=_sheet(items, [1], [0, 1], [0], [2]))
    assert (scored.state, scored.correct_count, scored.score) == ("scored", 2, Decimal("50.0"))
    right = {a.item_id: a.is_correct for a in scored.answers.all()}
    assert right == {items["排污许可证有效期为几年？"]: True, items["执行报告包括哪些？"]: False,
                     items["无证排污可以处罚。"]: True, items["在线监测数据应保存多久？"]: False}
    with clock.frozen(T0 + dt.timedelta(minutes=12)):
        other = exams.attempt_start(user=county.account_b, exam=made)
        full = exams.attempt_submit(user=county.account_b, attempt=other,
                                    answers=_sheet(items, [1], [2, 0, 1], [0], [1]))
    assert full.score == Decimal("100.0")


def test_answers_after_the_time_limit_are_refused(county, exam):
    made, items = exam
    with clock.frozen(T0):
        attempt = exams.attempt_start(user=county.account_a, exam=made)
    with clock.frozen(T0 + dt.timedelta(minutes=31, seconds=31)), pytest.raises(OutreachError) as late:
        exams.attempt_submit(user=county.account_a, attempt=attempt, answers=_sheet(items, [1], [0, 1, 2], [0], [1]))
    assert late.value.status_code == 409
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.answers.count()) == ("expired", Decimal("0.0"), 0)


def test_an_exam_cannot_be_taken_twice_unless_staff_allow_it(county, exam):
    made, items = exam
    with clock.frozen(T0):
        first = exams.attempt_start(user=county.account_a, exam=made)
        assert exams.attempt_start(user=county.account_a, exam=made) == first  # continuing, not a second one
        exams.attempt_submit(user=county.account_a, attempt=first, answers={})
        with pytest.raises(OutreachError) as twice:
            exams.attempt_start(user=county.account_a, exam=made)
        assert twice.value.status_code == 409
        with pytest.raises(OutreachError):
            exams.attempt_submit(user=county.account_a, attempt=first, answers={})
        with pytest.raises(OutreachError):  # another township may not grant it
            exams.retake_grant(user=county.officer_b, exam=made, enterprise=county.ent_a)
        exams.retake_grant(user=county.officer_a, exam=made, enterprise=county.ent_a)
        second = exams.attempt_start(user=county.account_a, exam=made)
        assert second.number == 2
        exams.attempt_submit(user=county.account_a, attempt=second, answers=_sheet(items, [1], [0, 1, 2], [0], [1]))
        with pytest.raises(OutreachError):
            exams.attempt_start(user=county.account_a, exam=made)
    assert Attempt.objects.filter(enterprise=county.ent_a).count() == 2


def test_results_per_industry_and_township_and_for_the_eco_code(county, exam):
    made, items = exam
    sheets = {county.account_a: _sheet(items, [1], [0, 1, 2], [0], [1]),     # 100
              county.account_a2: _sheet(items, [0], [0, 1, 2], [0], [1]),    # 75
              county.account_b: _sheet(items, [1], [0], [1], [0])}           # 25
    with clock.frozen(T0):
        for account, sheet in sheets.items():
            exams.attempt_submit(user=account, attempt=exams.attempt_start(user=account, exam=made), answers=sheet)
    by_township = {r["enterprise__township__name"]: (r["takers"], r["average"])
                   for r in selectors.exam_results(county.bureau, made, "enterprise__township__name")}
    assert by_township == {"甲镇": (2, Decimal("87.5")), "乙镇": (1, Decimal("25.0"))}
    by_industry = {r["enterprise__industry__name"]: r["average"]
                   for r in selectors.exam_results(county.bureau, made, "enterprise__industry__name")}
    assert by_industry[county.dye.name] == Decimal("62.5") and by_industry[county.chem.name] == Decimal("75.0")
    assert selectors.exam_results(county.officer_b, made, "enterprise__township__name") == [
        {"enterprise__township__name": "乙镇", "takers": 1, "average": Decimal("25.0"), "best": Decimal("25.0")}]
    assert selectors.exam_score_by_enterprise() == {county.ent_a.pk: 100.0, county.ent_a2.pk: 75.0,
                                                    county.ent_b.pk: 25.0}
    page = logged_in(county.bureau).get(f"/outreach/exams/{made.pk}/results/").content.decode()
    assert "87.5" in page and "乙镇" in page
    assert logged_in(county.account_a).get(f"/outreach/exams/{made.pk}/results/").status_code == 403


def test_exam_pages_and_api(county, exam):
    made, items = exam
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county.account_a)
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        listed = api.get("/api/v1/exams/").json()
        assert [e["id"] for e in listed["results"]] == [made.pk]
        started = api.post(f"/api/v1/exams/{made.pk}/start/", {"taker_name": "李四"}, format="json")
        assert started.status_code == 201
        body = started.json()
        assert "correct" not in str(body["items"]) and len(body["items"]) == 4
        sheet = {str(k): v for k, v in _sheet(items, [1], [0, 1, 2], [0], [1]).items()}
        done = api.post(f"/api/v1/exam-attempts/{body['id']}/submit/", {"answers": sheet}, format="json")
        assert done.status_code == 200 and done.json()["score"] == "100.0"
        assert api.post(f"/api/v1/exams/{made.pk}/start/", {}, format="json").status_code == 409
        page = logged_in(county.account_b)
        assert page.post(f"/outreach/exams/{made.pk}/start/", {"taker_name": "赵六"}).status_code == 302
        attempt = Attempt.objects.get(enterprise=county.ent_b)
        form = page.get(f"/outreach/attempts/{attempt.pk}/").content.decode()
        assert "排污许可证有效期为几年？" in form and "交卷" in form
        posted = page.post(f"/outreach/attempts/{attempt.pk}/", {f"q{items['排污许可证有效期为几年？']}": "1"})
        assert posted.status_code == 302
        attempt.refresh_from_db()
        assert attempt.score == Decimal("25.0")
        assert logged_in(county.account_a).get(f"/outreach/attempts/{attempt.pk}/").status_code == 404
