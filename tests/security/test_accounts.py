"""Accounts, tried as an attacker would: password guessing on the web and admin logins (one account from
one address, one password against many accounts), a token kept after a password change or beyond its
lifetime, a seeded password never changed, a weak new password, a spoofed X-Forwarded-For."""
import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from core import clock
from core.net import client_ip
from enterprises.models import Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def web_login(client, username, password, url="login"):
    return client.post(reverse(url), {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_30_wrong_passwords_then_the_right_one_does_not_log_in(settings):
    officer = f.user(Role.TOWNSHIP, township=f.township())
    client = Client(REMOTE_ADDR="10.7.0.1")
    codes = [web_login(client, officer.username, f"guess-{i}").status_code for i in range(30)]
    assert codes[0] == 200 and 429 in codes  # the form again, then locked
    right = web_login(client, officer.username, PASSWORD)
    assert right.status_code == 429 and not logged_in(client)
    assert "登录失败次数过多" in right.content.decode() or "Too many failed logins" in right.content.decode()
    # the account is locked from another address too: guessing from many addresses does not help
    assert web_login(Client(REMOTE_ADDR="10.7.0.2"), officer.username, PASSWORD).status_code == 429


def test_one_password_against_many_accounts_locks_the_address():
    accounts = [f.user(Role.ENTERPRISE, enterprise=f.enterprise()) for _ in range(12)]
    client = Client(REMOTE_ADDR="10.7.1.1")
    codes = [web_login(client, a.username, "123456").status_code for a in accounts]
    assert codes[-1] == 429
    assert web_login(client, accounts[-1].username, PASSWORD).status_code == 429 and not logged_in(client)
    assert logged_in_ok(accounts[0], "10.7.1.2")  # another address is not locked out by this one


def logged_in_ok(user, address) -> bool:
    client = Client(REMOTE_ADDR=address)
    web_login(client, user.username, PASSWORD)
    return logged_in(client)


def test_the_admin_login_is_throttled_too():
    admin = User.objects.create_superuser("root-admin", "a@example.com", PASSWORD, role=Role.BUREAU)
    client = Client(REMOTE_ADDR="10.7.2.1")
    codes = [web_login(client, admin.username, f"guess-{i}", "admin:login").status_code for i in range(12)]
    assert codes[-1] == 429
    assert web_login(client, admin.username, PASSWORD, "admin:login").status_code == 429


def token_for(user, password=PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": password},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(token):
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/auth/me/")


def test_a_token_after_a_password_change_is_refused():
    officer = f.user(Role.TOWNSHIP, township=f.township())
    token = token_for(officer)
    assert me(token).status_code == 200
    client = Client()
    client.force_login(officer)
    new = "Lüqing-河水-2026!"
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new,
                                                        "new_password2": new})
    assert response.status_code == 302, response.content.decode()[:800]
    assert me(token).status_code == 401
    assert me(token_for(officer, new)).status_code == 200


def test_a_token_expires(settings):
    officer = f.user(Role.GRID, grid=f.grid(f.village(f.township())))
    token = token_for(officer)
    with clock.frozen(clock.now() + settings.API_TOKEN_TTL + dt.timedelta(minutes=1)):
        assert me(token).status_code == 401
        fresh = token_for(officer)
        assert fresh != token and me(fresh).status_code == 200


def test_a_seeded_password_must_be_changed_first_and_validators_apply():
    account = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    User.objects.filter(pk=account.pk).update(must_change_password=True)
    client = Client()
    assert web_login(client, account.username, PASSWORD).status_code == 302
    page = client.get(reverse("ecocode:mine"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("password_change"))
    weak = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "12345678",
                                                    "new_password2": "12345678"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    account.refresh_from_db()
    assert account.must_change_password
    strong = "Qingshan-绿水-0417"
    done = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": strong,
                                                    "new_password2": strong})
    assert done.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password
    assert client.get(reverse("ecocode:mine"), follow=True).status_code == 200


def test_an_account_created_in_the_admin_must_change_its_password():
    admin = User.objects.create_superuser("root2", "r@example.com", PASSWORD, role=Role.BUREAU)
    client = Client()
    client.force_login(admin)
    weak = client.post(reverse("admin:enterprises_user_add"), {
        "username": "newofficer", "password1": "password", "password2": "password", "usable_password": "true",
        "role": Role.BUREAU})
    assert weak.status_code == 200 and not User.objects.filter(username="newofficer").exists()
    response = client.post(reverse("admin:enterprises_user_add"), {
        "username": "newofficer", "password1": "Temp-河道-93127", "password2": "Temp-河道-93127",
        "usable_password": "true", "role": Role.BUREAU})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="newofficer").must_change_password


def test_the_client_address_comes_from_the_trusted_proxy_only(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    rf = RequestFactory()
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(behind) == "203.0.113.9"  # the entry the proxy added, not what the client claimed
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(direct) == "198.51.100.7"
    garbage = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "127.0.0.1"


def test_citizens_behind_the_proxy_are_limited_one_by_one(settings):
    """Six complaints from one citizen are limited (5 an hour); another citizen behind the same proxy is not."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    town = f.township()
    body = {"township": town.pk, "text": "河道有异味，请来看看"}
    one = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    codes = [one.post(reverse("dispatch:complain"), body).status_code for _ in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.21")
    assert other.post(reverse("dispatch:complain"), body).status_code == 302


def test_a_session_that_must_change_its_password_reaches_no_api():
    account = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    User.objects.filter(pk=account.pk).update(must_change_password=True)
    client = Client()
    assert web_login(client, account.username, PASSWORD).status_code == 302
    refused = client.get("/api/v1/outlets/")
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    assert client.get("/api/v1/auth/me/").json()["must_change_password"] is True


def test_login_records_are_purged_after_their_retention(settings):
    from axes.models import AccessAttempt, AccessLog

    from core.tasks import purge_access_logs

    settings.AXES_LOG_RETENTION_DAYS = 30
    officer = f.user(Role.TOWNSHIP, township=f.township())
    web_login(Client(REMOTE_ADDR="10.7.9.1"), "someone-guessed", "wrong")  # a failed attempt (counted)
    assert logged_in_ok(officer, "10.7.9.2")  # a successful login (logged)
    old = clock.now() - dt.timedelta(days=31)
    stale_log = AccessLog.objects.create(username="old", ip_address="10.7.9.3", attempt_time=old)
    stale_attempt = AccessAttempt.objects.create(username="old", ip_address="10.7.9.3", failures_since_start=3)
    AccessLog.objects.filter(pk=stale_log.pk).update(attempt_time=old)
    AccessAttempt.objects.filter(pk=stale_attempt.pk).update(attempt_time=old)
    assert {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()} >= {"core.tasks.purge_access_logs"}
    assert purge_access_logs.apply().get() == 2
    assert not AccessLog.objects.filter(pk=stale_log.pk).exists()
    assert not AccessAttempt.objects.filter(pk=stale_attempt.pk).exists()
    assert AccessLog.objects.filter(username=officer.username).exists()  # within the retention: kept
    assert AccessAttempt.objects.filter(username="someone-guessed").exists()
