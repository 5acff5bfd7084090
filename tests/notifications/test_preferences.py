"""Each user chooses channels: the settings page and the REST endpoint (one service), only one's own,
role defaults until saved, bad input refused with its reason and nothing saved."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.models import Role
from notifications.models import ChannelPreference
from tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/notification-preferences/"
KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SEC10d6e79b42bd94be0d0d603843651aa2c"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def township_officer(**fields):
    return f.user(Role.TOWNSHIP, township=f.township(), **fields)


def test_page_shows_role_defaults_and_saves_a_choice(client):
    user = township_officer(email="town@example.com", phone="13700000003")
    client.force_login(user)
    page = client.get(reverse("notifications:preferences"))
    html = page.content.decode()
    assert page.status_code == 200 and "通知渠道" in html and "保存前显示的是您所属角色的默认设置。" in html
    assert 'name="email" checked' in html and 'name="sms" checked' in html and 'name="wecom" checked' not in html
    saved = client.post(reverse("notifications:preferences"), {"wecom": "on", "wecom_key": KEY})
    assert saved.status_code == 302
    pref = ChannelPreference.objects.get(user=user)
    assert (pref.email, pref.sms, pref.wecom, pref.dingtalk, pref.wecom_key) == (False, False, True, False, KEY)
    assert "通知渠道已保存。" in client.get(saved["Location"]).content.decode()


def test_page_refuses_a_robot_without_its_key_and_keeps_the_old_choice(client):
    user = township_officer(email="town@example.com")
    client.force_login(user)
    client.post(reverse("notifications:preferences"), {"email": "on"})
    refused = client.post(reverse("notifications:preferences"), {"dingtalk": "on", "dingtalk_token": ""})
    assert refused.status_code == 400 and "钉钉机器人需要填写访问令牌。" in refused.content.decode()
    assert ChannelPreference.objects.get(user=user).chosen() == {"email"}


def test_page_needs_a_login(client):
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 302 and reverse("login") in page["Location"]


def test_api_reads_and_writes_only_my_own_choice():
    me, other = township_officer(phone="13700000004"), township_officer(email="o@example.com")
    api = APIClient()
    assert api.get(API).status_code == 401
    api.force_authenticate(me)
    assert api.get(API).json() == {"email": True, "sms": True, "wecom": False, "dingtalk": False, "wecom_key": "",
                                   "dingtalk_token": "", "dingtalk_signed": False, "saved": False}
    put = api.put(API, {"sms": True, "dingtalk": True, "dingtalk_token": "abcdef0123456789",
                        "dingtalk_secret": SECRET}, format="json")
    assert put.status_code == 200, put.content
    assert put.json() == {"email": False, "sms": True, "wecom": False, "dingtalk": True, "wecom_key": "",
                          "dingtalk_token": "abcdef0123456789", "dingtalk_signed": True, "saved": True}
    patch = api.patch(API, {"sms": False}, format="json")
    assert patch.status_code == 200 and patch.json()["dingtalk_signed"] is True  # the secret is kept
    assert ChannelPreference.objects.get(user=me).chosen() == {"dingtalk"}
    assert not ChannelPreference.objects.filter(user=other).exists()


def test_api_refuses_bad_input_with_the_reason():
    me = township_officer()
    api = APIClient()
    api.force_authenticate(me)
    refused = api.put(API, {"wecom": True, "wecom_key": "no spaces allowed"}, format="json")
    assert refused.status_code == 400
    assert "企业微信机器人密钥是机器人地址末尾等号后面的一串字符。" in refused.content.decode()
    assert api.patch(API, {"sms": "perhaps"}, format="json").status_code == 400
    assert not ChannelPreference.objects.filter(user=me).exists()


@pytest.mark.parametrize(("role", "path"), [
    (Role.BUREAU, "/dashboard/"), (Role.TOWNSHIP, "/dispatch/"), (Role.ENTERPRISE, "/ecocode/mine/"),
    (Role.ENTERPRISE, "/dispatch/"), (Role.ENFORCEMENT, "/enforcement/plans/"), (Role.BUREAU, "/alerts/"),
])
def test_every_roles_pages_link_to_the_channels_page_and_log_out(client, role, path):
    town = f.township()
    fields = {Role.TOWNSHIP: {"township": town}, Role.ENTERPRISE: {"enterprise": f.enterprise(town)}}.get(role, {})
    client.force_login(f.user(role, **fields))
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.redirect_chain)
    html = response.content.decode()
    assert f'href="{reverse("notifications:preferences")}"' in html and "通知渠道" in html
    assert f'action="{reverse("logout")}"' in html and "退出登录" in html
    assert client.get(reverse("notifications:preferences")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("notifications:preferences")).status_code == 302  # logged out: to the login page
