"""The UI speaks zh-Hans by default, whatever the browser asks, and English on request."""
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_default_is_simplified_chinese_even_for_english_browsers(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_language_cookie_switches_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/admin/login/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


def test_unknown_language_cookie_falls_back_to_default(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/admin/login/")["Content-Language"] == "zh-hans"
