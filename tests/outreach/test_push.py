"""Law and policy push: a push reaches exactly the enterprises chosen by industry, township and
colour, within the pusher's jurisdiction, once each, and tells them; reading marks the receipt;
staff see reach and read rates."""
import pytest

from ecocode.models import EcoCode
from notifications.models import Notification
from outreach import selectors
from outreach.models import ArticleReceipt
from outreach.services import articles
from outreach.services.errors import OutreachError
from tests import factories as f

from .conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(county):
    return articles.article_publish(user=county.bureau, title="《排污许可管理条例》解读", body="第一条……",
                                    topic="law", industries=[county.dye])


def _reached(push):
    return set(ArticleReceipt.objects.filter(push=push).values_list("enterprise__name", flat=True))


def test_a_push_reaches_exactly_the_chosen_enterprises(county, article):
    c = county
    red_b = f.enterprise(c.b, name="乙镇红码企业")
    EcoCode.objects.create(enterprise=red_b, colour="red")
    EcoCode.objects.create(enterprise=c.ent_b, colour="green")
    f.enterprise(c.a, name="已关闭企业", status="closed")
    push = articles.article_push(user=c.bureau, article=article, industries=[c.dye], townships=[c.b])
    assert _reached(push) == {"乙镇印染有限公司", "乙镇红码企业"} and push.reached == 2
    push = articles.article_push(user=c.bureau, article=article, colours=["red", "yellow"])
    assert _reached(push) == set() and push.reached == 0  # the red one has it already
    push = articles.article_push(user=c.bureau, article=article, townships=[c.a])
    assert _reached(push) == {"甲镇印染有限公司", "甲镇化工有限公司"}
    assert ArticleReceipt.objects.filter(article=article).count() == 4
    notes = Notification.objects.filter(kind="article")
    assert sorted(notes.values_list("enterprise__name", flat=True)) == sorted(
        ["乙镇印染有限公司", "乙镇红码企业", "甲镇印染有限公司", "甲镇化工有限公司"])


def test_a_township_pushes_only_within_its_township(county, article):
    c = county
    push = articles.article_push(user=c.officer_a, article=article, industries=[c.dye])
    assert _reached(push) == {"甲镇印染有限公司"}
    with pytest.raises(OutreachError):
        articles.article_push(user=c.officer_a, article=article)
    with pytest.raises(OutreachError):
        articles.article_push(user=c.account_a, article=article, townships=[c.a])


def test_reading_and_read_rates(county, article):
    c = county
    articles.article_push(user=c.bureau, article=article, townships=[c.a, c.b])
    inbox = logged_in(c.account_a).get("/outreach/articles/").content.decode()
    assert "《排污许可管理条例》解读" in inbox and "未读" in inbox
    assert logged_in(c.account_a).get(f"/outreach/articles/{article.pk}/").status_code == 200
    receipt = ArticleReceipt.objects.get(enterprise=c.ent_a)
    assert receipt.read_at is not None
    rates = {r["enterprise__township__name"]: (r["reached"], r["read"])
             for r in selectors.read_rates(ArticleReceipt.objects.all(), "enterprise__township__name")}
    assert rates == {"甲镇": (2, 1), "乙镇": (1, 0)}
    staff = logged_in(c.bureau).get(f"/outreach/articles/{article.pk}/").content.decode()
    assert "50%" in staff and "0%" in staff
    assert "50%" in logged_in(c.officer_a).get(f"/outreach/articles/{article.pk}/").content.decode()
    assert "乙镇" not in logged_in(c.officer_a).get(f"/outreach/articles/{article.pk}/").content.decode() \
        .split("各乡镇送达与阅读率")[1].split("推送给企业")[0]
    unrelated = articles.article_publish(user=c.bureau, title="未推送", body="x", topic="policy")
    assert logged_in(c.account_a).get(f"/outreach/articles/{unrelated.pk}/").status_code == 404
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(c.account_b)
    [row] = api.get("/api/v1/received-articles/").json()["results"]
    assert row["read_at"] is None and row["article"]["title"] == "《排污许可管理条例》解读"
    assert api.post(f"/api/v1/received-articles/{row['id']}/read/").json()["read_at"] is not None


def test_push_page_refuses_bad_input(county, article):
    page = logged_in(county.bureau).post(f"/outreach/articles/{article.pk}/push/", {})
    assert page.status_code == 400 and "请至少选择" in page.content.decode()
    assert logged_in(county.account_a).post(f"/outreach/articles/{article.pk}/push/",
                                            {"townships": [county.a.pk]}).status_code == 403
    assert not ArticleReceipt.objects.exists()
