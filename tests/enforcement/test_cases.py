"""Cases: the suggested discretion follows the colour, the steps keep their order and deadlines, the
officer's reason is required when he departs from the suggestion, and the eco-code counts the case."""
import datetime as dt
from decimal import Decimal

import pytest

from dispatch.services import work_order_open
from dispatch.workflow import NotAllowed, WorkflowError
from ecocode.models import Indicator
from ecocode.services import scoring
from enforcement import selectors, services
from enforcement.models import Case, DiscretionArticle
from enterprises.models import Role
from tests import factories as f

from .support import coloured, reported

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def lead(ent, officer):
    order = work_order_open(source="manual", enterprise=ent, title="COD 超标", opened_by=officer)
    return services.case_open_lead(user=officer, work_order=order, facts="在线监测 COD 日均值超标 1.6 倍")


@pytest.mark.parametrize("colour, factor, amount", [("green", "0.80", 160000), ("yellow", "1.00", 200000),
                                                    ("red", "1.50", 300000)])
def test_suggested_discretion_is_the_colour_factor_times_the_base_amount(colour, factor, amount):
    article = DiscretionArticle.objects.get(code="WPL-83-2")
    assert article.base_amount == 200000 and article.law == "中华人民共和国水污染防治法"
    s = selectors.suggested_discretion(coloured(colour), article)
    assert (s["colour"], s["factor"], s["amount"]) == (colour, Decimal(factor), Decimal(amount))


def test_suggestion_stays_inside_the_articles_range():
    article = DiscretionArticle.objects.get(code="PPR-37")  # 0 to 5,000 yuan, base 3,000
    assert selectors.suggested_discretion(coloured("red"), article)["amount"] == 4500
    assert selectors.suggested_discretion(f.enterprise(), article)["amount"] == 3000  # unscored: factor 1.00


def test_a_case_from_lead_to_execution_with_its_deadlines():
    ent, officer = coloured("orange"), f.user(Role.ENFORCEMENT)
    case = lead(ent, officer)
    assert case.state == "lead" and case.file_due_on == (case.lead_at + dt.timedelta(days=15)).date()
    article = DiscretionArticle.objects.get(code="APL-99-2")
    case = services.case_file(case=case, user=officer, filing_number="桐环立〔2026〕8号", article=article,
                              filed_on=dt.date(2026, 3, 2))
    assert case.decision_due_on == dt.date(2026, 5, 31) and case.reason == "excess_emission"
    case = services.case_notify_hearing(case=case, user=officer, notified_on=dt.date(2026, 3, 10))
    assert case.hearing_request_due_on == dt.date(2026, 3, 15)
    with pytest.raises(WorkflowError, match="hearing"):
        services.case_decide(case=case, user=officer, decision_number="桐环罚〔2026〕8号",
                             decided_on=dt.date(2026, 3, 12), amount=Decimal("240000"))
    with pytest.raises(WorkflowError, match="say why"):
        services.case_decide(case=case, user=officer, decision_number="桐环罚〔2026〕8号",
                             decided_on=dt.date(2026, 3, 20), amount=Decimal("200000"))
    with pytest.raises(WorkflowError, match="allows"):
        services.case_decide(case=case, user=officer, decision_number="桐环罚〔2026〕8号",
                             decided_on=dt.date(2026, 3, 20), amount=Decimal("50000"), discretion_reason="x")
    case = services.case_decide(case=case, user=officer, decision_number="桐环罚〔2026〕8号",
                                decided_on=dt.date(2026, 3, 20), amount=Decimal("240000"), measures="责令改正")
    assert (case.colour, case.discretion_factor, case.suggested_amount) == ("orange", Decimal("1.20"), 240000)
    assert case.pay_due_on == dt.date(2026, 4, 4)
    case = services.case_execute(case=case, user=officer, executed_on=dt.date(2026, 4, 1),
                                 amount_paid=Decimal("240000"))
    assert Case.objects.get().state == "executed"


def test_only_enforcement_staff_handle_cases():
    ent = coloured("blue")
    with pytest.raises(NotAllowed):
        lead(ent, f.user(Role.TOWNSHIP, township=ent.township))
    with pytest.raises(WorkflowError):
        services.case_open_lead(user=f.user(Role.ENFORCEMENT), facts="x")


def test_the_eco_code_penalty_indicators_count_decided_cases():
    ent, officer = coloured("green"), f.user(Role.ENFORCEMENT)
    reported(f.permit(ent), dt.date.today() - dt.timedelta(days=20))  # enough data to be scored, not grey
    Indicator.objects.exclude(rule__startswith="penalties.").update(weight=0)
    scoring.score_enterprise(ent)
    clean = ent.eco_code.__class__.objects.get(enterprise=ent).score
    case = lead(ent, officer)  # a lead alone is no penalty
    scoring.score_enterprise(ent)
    assert ent.eco_code.__class__.objects.get(enterprise=ent).score == clean
    case = services.case_file(case=case, user=officer, filing_number="立-1",
                              article=DiscretionArticle.objects.get(code="WPL-83-2"), filed_on=dt.date.today())
    services.case_decide(case=case, user=officer, decision_number="罚-1", decided_on=dt.date.today(),
                         amount=Decimal("160000"))
    scoring.score_enterprise(ent)
    assert ent.eco_code.__class__.objects.get(enterprise=ent).score < clean
