"""403, 404 and 500: JSON in the API's format under /api/ (500 included), a friendly zh-Hans page
elsewhere, never Django's debug or bare pages."""
from django.test import Client
from rest_framework.test import APIClient

from dispatch import selectors
from enterprises.models import Role
from tests import factories as f


def test_missing_api_urls_answer_json_and_pages_a_friendly_404(client, db):
    api = client.get("/api/v1/")
    assert api.status_code == 404 and api.json() == {"detail": "页面不存在。", "code": "not_found"}
    assert client.get("/api/v1/no-such-thing/").json()["code"] == "not_found"
    page = client.get("/dispatch/no-such-page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode() and "返回首页" in page.content.decode()


def test_refused_pages_are_friendly_403s(client, db):
    client.force_login(f.user(Role.ENTERPRISE, enterprise=f.enterprise()))
    page = client.get("/dispatch/campaigns/")
    assert page.status_code == 403 and "您无权查看此页面" in page.content.decode()


def test_a_crash_is_a_json_500_in_the_api_and_a_friendly_page_elsewhere(db, monkeypatch):
    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "visible_campaigns", broken)
    bureau = f.user(Role.BUREAU)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(bureau)
    answer = api.get("/api/v1/self-check-campaigns/")
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "服务器错误，已记录。", "code": "server_error"}
    web = Client(raise_request_exception=False)
    web.force_login(bureau)
    page = web.get("/dispatch/campaigns/")
    assert page.status_code == 500 and "系统出现错误" in page.content.decode() and "boom" not in page.content.decode()
