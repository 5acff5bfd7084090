"""Accounts attacked over HTTP on a real server (pytest-django's live server on 127.0.0.1), bounded in
time (all clients come from 127.0.0.1; the per-address cases are in test_accounts.py): password guessing on the web login, a token kept after a password change, and a seeded account
using the API before it changed its password."""
import re
import time

import pytest
import requests

from enterprises.models import Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-only"
STRONG = "Qingshan-绿水-0417"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def web_login(session: requests.Session, base: str, username: str, password: str) -> requests.Response:
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    data = {"username": username, "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else session.cookies.get("csrftoken", "")}
    return session.post(f"{base}/accounts/login/", data=data, timeout=30, allow_redirects=False,
                        headers={"Referer": f"{base}/accounts/login/"})


def test_password_guessing_on_the_web_login_is_locked_out(live_server):
    officer = f.user(Role.TOWNSHIP, township=f.township())
    base, guesser = live_server.url, requests.Session()
    started = time.monotonic()
    codes = [web_login(guesser, base, officer.username, f"guess-{n}").status_code for n in range(30)]
    right = web_login(guesser, base, officer.username, PASSWORD)
    assert codes[0] == 200 and codes[-1] == 429 and right.status_code == 429
    assert "sessionid" not in guesser.cookies
    # a fresh client gets nowhere either (the account and the address are locked)
    assert web_login(requests.Session(), base, officer.username, PASSWORD).status_code == 429
    assert time.monotonic() - started < 60


def api(base: str, token: str, method: str = "get", path: str = "auth/me/", **kwargs) -> requests.Response:
    return requests.request(method, f"{base}/api/v1/{path}", headers={"Authorization": f"Token {token}"},
                            timeout=30, **kwargs)


def token_for(base: str, username: str, password: str) -> str:
    response = requests.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": password},
                             timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def test_a_seeded_account_changes_its_password_before_using_the_api_and_old_tokens_die(live_server):
    base = live_server.url
    officer = f.user(Role.TOWNSHIP, township=f.township())
    User.objects.filter(pk=officer.pk).update(must_change_password=True)
    seeded = token_for(base, officer.username, PASSWORD)
    refused = api(base, seeded, path="alerts/")
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    assert api(base, seeded).json()["must_change_password"] is True  # who am I still answers
    weak = api(base, seeded, "post", "auth/password/", json={"old_password": PASSWORD, "new_password": "12345678"})
    wrong = api(base, seeded, "post", "auth/password/", json={"old_password": "nope", "new_password": STRONG})
    assert (weak.status_code, wrong.status_code) == (400, 400) and "new_password" in weak.json()
    changed = api(base, seeded, "post", "auth/password/", json={"old_password": PASSWORD, "new_password": STRONG})
    assert changed.status_code == 200 and changed.json()["user"]["must_change_password"] is False
    fresh = changed.json()["token"]
    assert fresh != seeded and api(base, seeded).status_code == 401  # the old token died with the password
    assert api(base, fresh, path="alerts/").status_code == 200
    # a second change, from another client that logged in meanwhile: every earlier token is revoked
    other_client = token_for(base, officer.username, STRONG)
    again = api(base, fresh, "post", "auth/password/", json={"old_password": STRONG, "new_password": STRONG + "x"})
    assert again.status_code == 200
    assert api(base, fresh).status_code == 401 and api(base, other_client).status_code == 401
    assert api(base, again.json()["token"], path="alerts/").status_code == 200
