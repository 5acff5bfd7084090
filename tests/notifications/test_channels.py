"""The channels Chinese offices use, against real HTTP on 127.0.0.1: the WeChat Work and DingTalk group
robots (exact JSON bodies, the DingTalk signature, errcode failures kept with their reason, retries with
back-off, permanent failures), the SMS gateway and Aliyun SMS (its signed SendSms) behind one interface, and
each user's channel choice."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time

import pytest
from django.core import mail

from core import clock
from enterprises.models import Role
from notifications import services as notifications
from notifications import sms
from notifications.models import Channel, ChannelPreference, Delivery
from tests import factories as f
from tests.notifications.robots import AliyunSms, Robot

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "e9a8118c8a3dc0e2a4b6685fab41df25b9dc865fd74"
DING_SECRET = "SEC10d6e79b42bd94be0d0d603843651aa2ccd7186db6edbc"


@pytest.fixture
def robot(settings):
    made = []

    def make(*answers):
        r = Robot(answers)
        settings.NOTIFY_WECOM_URL = f"{r.base}/cgi-bin/webhook/send"
        settings.NOTIFY_DINGTALK_URL = f"{r.base}/robot/send"
        settings.NOTIFY_SMS_URL = f"{r.base}/sms"
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def officer(phone="", **pref):
    user = f.user(Role.TOWNSHIP, township=f.township(), email="", phone=phone)
    notifications.preference_update(user=user, **{"email": False, "sms": False, "wecom": False, "dingtalk": False,
                                                  **pref})
    return user


def outbound(note):
    return {d.channel: d for d in note.deliveries.exclude(channel=Channel.IN_APP)}


def test_wecom_robot_gets_its_markdown_and_errcode_failures_are_retried_with_backoff(robot, settings):
    r = robot((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    user = officer(wecom=True, wecom_key=WECOM_KEY)
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="workorder_dispatched", subject="工单 #7 已派发", body="请于 2 小时内签收",
                                    user=user, url="/dispatch/orders/7/")
        assert set(outbound(note)) == {Channel.WECOM}
        assert notifications.deliver_due() == 0
        hook = outbound(note)[Channel.WECOM]
        assert (hook.status, hook.attempts, hook.last_error) == ("pending", 1, "errcode 45009: api freq out of limit")
        assert hook.next_attempt_at == T0 + dt.timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
        advance(dt.timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS))
        assert notifications.deliver_due() == 1
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_error) == ("sent", 2, "")
    assert len(r.received) == 2
    request = r.received[-1]
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": WECOM_KEY}
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["body"] == {"msgtype": "markdown", "markdown": {
        "content": f"### 工单 #7 已派发\n请于 2 小时内签收\n[在平台中查看]({settings.PUBLIC_BASE_URL}/dispatch/orders/7/)"}}


def test_wecom_unknown_key_fails_for_good_at_once_with_its_reason(robot):
    robot((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    user = officer(wecom=True, wecom_key=WECOM_KEY)
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="预警", user=user)
        notifications.deliver_due()
    hook = outbound(note)[Channel.WECOM]
    assert (hook.status, hook.attempts, hook.next_attempt_at) == ("failed", 1, None)
    assert hook.last_error == "errcode 93000: invalid webhook url"


def test_dingtalk_robot_is_signed_with_hmac_sha256_of_timestamp_and_secret(robot, settings):
    r = robot()
    user = officer(dingtalk=True, dingtalk_token=DING_TOKEN, dingtalk_secret=DING_SECRET)
    with clock.frozen(T0):
        note = notifications.notify(kind="alert.alarm", subject="【报警】测试企业 COD 超标", body="COD 150 mg/L（限值 100 mg/L）",
                                    user=user, url="/alerts/3/")
        before = int(time.time() * 1000)
        assert notifications.deliver_due() == 1
    [request] = r.received
    query = request["query"]
    assert request["path"] == "/robot/send" and set(query) == {"access_token", "timestamp", "sign"}
    assert query["access_token"] == DING_TOKEN
    timestamp = int(query["timestamp"])
    assert before <= timestamp <= before + 60_000  # real milliseconds: DingTalk refuses over an hour off
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == expected  # parse_qsl undid the URL encoding of "+", "/" and "="
    assert request["body"] == {"msgtype": "markdown", "markdown": {
        "title": "【报警】测试企业 COD 超标",
        "text": f"### 【报警】测试企业 COD 超标\nCOD 150 mg/L（限值 100 mg/L）\n"
                f"[在平台中查看]({settings.PUBLIC_BASE_URL}/alerts/3/)"}}
    assert outbound(note)[Channel.DINGTALK].status == "sent"


def test_dingtalk_without_secret_is_unsigned_and_security_refusal_is_final(robot):
    r = robot((200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/...]"}))
    user = officer(dingtalk=True, dingtalk_token=DING_TOKEN)
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="预警", user=user)
        notifications.deliver_due()
    assert r.received[0]["query"] == {"access_token": DING_TOKEN}
    hook = outbound(note)[Channel.DINGTALK]
    assert hook.status == "failed" and hook.last_error.startswith("errcode 310000: sign not match")


def test_robot_http_error_and_unreadable_answer_are_retried_then_give_up(robot, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    robot((502, {"error": "bad gateway"}), (200, {"no": "errcode"}))
    user = officer(wecom=True, wecom_key=WECOM_KEY)
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="test", subject="预警", user=user)
        notifications.deliver_due()
        assert outbound(note)[Channel.WECOM].last_error == "HTTP 502"
        advance(dt.timedelta(hours=1))
        notifications.deliver_due()
    hook = outbound(note)[Channel.WECOM]
    assert (hook.status, hook.attempts) == ("failed", 2) and hook.last_error.startswith("unreadable answer")


def test_sms_http_gateway_gets_one_text_within_sms_length(robot, settings):
    settings.NOTIFY_SMS_BACKEND = "notifications.sms.HttpBackend"
    settings.NOTIFY_SMS_TOKEN = "t0ken"
    r = robot((200, {"code": "isv.BUSINESS_LIMIT_CONTROL", "message": "触发流控"}), (200, {"code": 0}))
    user = officer(sms=True, phone="13900001111")
    long_subject = "【预警】" + "某某化工有限公司 DW001 废水总排口 化学需氧量超过限值" * 3
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="alert.opened", subject=long_subject, user=user)
        notifications.deliver_due()
        text = outbound(note)[Channel.SMS]
        assert text.last_error == "SMS gateway refused: code isv.BUSINESS_LIMIT_CONTROL 触发流控"
        advance(dt.timedelta(minutes=1))
        assert notifications.deliver_due() == 1
    body = r.received[-1]["body"]
    assert body["mobile"] == "13900001111" and r.received[-1]["headers"]["Authorization"] == "Bearer t0ken"
    assert len(body["content"]) == settings.NOTIFY_SMS_MAX_CHARS and body["content"].endswith("…")
    assert body["content"].startswith(settings.NOTIFY_SMS_SIGNATURE + "【预警】某某化工")


def test_aliyun_signature_matches_the_documented_example():
    # Aliyun's RPC signature documentation: DescribeRegions signed with the AccessKey secret "testsecret".
    params = {"Timestamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
              "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1", "Version": "2014-05-26",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0"}
    assert sms.aliyun_signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


@pytest.fixture
def aliyun(settings):
    made = []

    def make(*answers, secret="aliyun-secret-for-tests"):
        server = AliyunSms(secret, answers)
        settings.NOTIFY_SMS_BACKEND = "notifications.sms.AliyunBackend"
        settings.NOTIFY_ALIYUN_SMS_URL = server.url
        settings.NOTIFY_ALIYUN_ACCESS_KEY_ID = "LTAI5tTestKeyId"
        settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET = "aliyun-secret-for-tests"
        settings.NOTIFY_ALIYUN_SMS_SIGN_NAME = "桐乡生态环境"
        settings.NOTIFY_ALIYUN_SMS_TEMPLATE = "SMS_468820001"
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def test_aliyun_sms_gets_a_signed_send_sms_and_flow_control_is_retried(aliyun):
    server = aliyun((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控Permits:5",
                           "RequestId": "R-FLOW"}))
    user = officer(sms=True, phone="13900003333")
    subject = "【预警】某某化工有限公司 DW001 废水总排口 化学需氧量超过限值 150 mg/L（限值 100 mg/L）"
    with clock.frozen(T0) as advance:
        note = notifications.notify(kind="alert.opened", subject=subject, user=user)
        notifications.deliver_due()
        text = outbound(note)[Channel.SMS]
        assert (text.status, text.attempts) == ("pending", 1)
        flow = "Aliyun SMS refused: isv.BUSINESS_LIMIT_CONTROL 触发小时级流控Permits:5 (HTTP 200, RequestId R-FLOW)"
        assert text.last_error == flow
        advance(dt.timedelta(minutes=1))
        assert notifications.deliver_due() == 1
    assert outbound(note)[Channel.SMS].status == "sent"
    first, second = (r["form"] for r in server.received)
    assert second["Action"] == "SendSms" and second["Version"] == "2017-05-25" and second["Format"] == "JSON"
    assert second["PhoneNumbers"] == "13900003333" and second["SignName"] == "桐乡生态环境"
    assert second["TemplateCode"] == "SMS_468820001" and second["AccessKeyId"] == "LTAI5tTestKeyId"
    assert first["SignatureNonce"] != second["SignatureNonce"]  # a fresh nonce each request
    assert server.received[-1]["content_type"].startswith("application/x-www-form-urlencoded")
    content = json.loads(second["TemplateParam"])["content"]
    # Aliyun adds the signature; the variable holds the subject within Aliyun's 35 characters.
    assert len(content) == 35 and content.startswith("【预警】某某化工") and content.endswith("…")
    assert "生态环境局" not in content


def test_aliyun_sms_wrong_secret_or_number_fails_for_good_with_aliyuns_reason(aliyun, settings):
    aliyun(secret="the-real-secret")  # the platform signs with another secret: Aliyun refuses the signature
    user = officer(sms=True, phone="13900004444")
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="工单已派发", user=user)
        notifications.deliver_due()
    text = outbound(note)[Channel.SMS]
    assert (text.status, text.attempts) == ("failed", 1)
    assert text.last_error.startswith("Aliyun SMS refused: SignatureDoesNotMatch Specified signature")
    assert text.last_error.endswith("(HTTP 400, RequestId R-SIG)")

    aliyun((200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "R-NUM"}))
    with clock.frozen(T0):
        note = notifications.notify(kind="test", subject="工单已派发", user=user)
        notifications.deliver_due()
    text = outbound(note)[Channel.SMS]
    assert text.status == "failed"
    assert text.last_error == "Aliyun SMS refused: isv.MOBILE_NUMBER_ILLEGAL 非法手机号 (HTTP 200, RequestId R-NUM)"


def test_sms_logging_backend_is_the_embedded_default(caplog):
    user = officer(sms=True, phone="13900002222")
    with clock.frozen(T0), caplog.at_level(logging.INFO, logger="notifications.sms"):
        note = notifications.notify(kind="test", subject="工单已派发", user=user)
        assert notifications.deliver_due() == 1
    assert "SMS to 13900002222: 【生态环境局】工单已派发" in caplog.text
    assert outbound(note)[Channel.SMS].status == "sent"


def test_each_user_gets_the_channels_chosen_and_roles_have_defaults():
    ent = f.enterprise(contact_email="boss@example.com", contact_phone="13800009999")
    owner = f.user(Role.ENTERPRISE, enterprise=ent)  # default: e-mail and SMS at the enterprise's contacts
    clerk = f.user(Role.ENTERPRISE, enterprise=ent, email="clerk@example.com")
    notifications.preference_update(user=clerk, email=True, sms=False, wecom=True, dingtalk=False,
                                    wecom_key=WECOM_KEY)
    town = f.township()
    grid = f.user(Role.GRID, township=town, grid=f.grid(f.village(town)), phone="13700000001",
                  email="grid@example.com")  # default: SMS only
    bureau = f.user(Role.BUREAU, phone="13700000002", email="bureau@example.com")  # default: e-mail only
    to_ent = notifications.notify(kind="test", subject="企业消息", enterprise=ent)
    assert sorted(to_ent.deliveries.exclude(channel=Channel.IN_APP).values_list("channel", "address", "user")) == [
        (Channel.EMAIL, "boss@example.com", owner.pk), (Channel.EMAIL, "clerk@example.com", clerk.pk),
        (Channel.SMS, "13800009999", owner.pk), (Channel.WECOM, WECOM_KEY, clerk.pk)]
    assert {c: d.address for c, d in outbound(notifications.notify(kind="t", subject="s", user=grid)).items()} == {
        Channel.SMS: "13700000001"}
    assert {c: d.address for c, d in outbound(notifications.notify(kind="t", subject="s", user=bureau)).items()} == {
        Channel.EMAIL: "bureau@example.com"}
    notifications.preference_update(user=bureau, email=False, sms=True, wecom=False, dingtalk=False)
    with clock.frozen(T0):
        note = notifications.notify(kind="t", subject="改为短信", user=bureau)
        notifications.deliver_due()
    assert set(outbound(note)) == {Channel.SMS} and not mail.outbox


@pytest.mark.parametrize("choice, reason", [
    ({"wecom": True}, "企业微信机器人需要填写密钥。"),
    ({"dingtalk": True, "dingtalk_token": "bad token!"}, "钉钉访问令牌是机器人地址末尾等号后面的一串字符。"),
    ({"dingtalk": True, "dingtalk_token": DING_TOKEN, "dingtalk_secret": "nope"}, "钉钉加签密钥以 SEC 开头。"),
    ({"email": True}, "选择电子邮件需要账号填有邮箱地址。"),
])
def test_a_choice_without_its_address_is_refused_with_the_reason(choice, reason):
    user = f.user(Role.TOWNSHIP, township=f.township())
    fields = {"email": False, "sms": False, "wecom": False, "dingtalk": False, **choice}
    with pytest.raises(notifications.PreferenceError) as refused:
        notifications.preference_update(user=user, **fields)
    assert str(refused.value) == reason
    assert not ChannelPreference.objects.filter(user=user).exists()
    assert Delivery.objects.count() == 0
