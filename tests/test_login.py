"""Every role logs in through the platform's own login page (the admin's login takes staff only)."""
import pytest
from django.urls import reverse

from enterprises.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": "pw-for-tests-only"})


def test_township_officer_who_is_not_staff_logs_in_and_reaches_the_dashboard(client):
    officer = f.user(Role.TOWNSHIP, township=f.township())
    assert not officer.is_staff
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "登录" in page.content.decode()
    response = login(client, officer)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("dashboard:map")
    assert client.get(reverse("dashboard:map")).status_code == 200


def test_enterprise_account_lands_on_its_own_eco_code_page(client):
    account = f.user(Role.ENTERPRISE, enterprise=f.enterprise())
    login(client, account)
    assert client.get(reverse("home"))["Location"] == reverse("ecocode:mine")


def test_wrong_password_is_refused_with_a_message(client):
    officer = f.user(Role.GRID, grid=f.grid(f.village(f.township())))
    response = client.post(reverse("login"), {"username": officer.username, "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "用户名和密码不匹配" in response.content.decode()


def test_protected_pages_send_anonymous_users_to_the_login_page(client):
    response = client.get(reverse("dashboard:map"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_needs_post_and_returns_to_login(client):
    officer = f.user(Role.ENFORCEMENT)
    login(client, officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
