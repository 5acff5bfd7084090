"""The senders, one per outbound channel: e-mail, the integration webhook, the WeChat Work and
DingTalk group robots, SMS. Each raises ``DeliveryFailed`` with the reason (and whether a retry can help).

WeChat Work robot: POST ``{"msgtype": "markdown", "markdown": {"content": …}}`` to
``NOTIFY_WECOM_URL?key=KEY``. DingTalk robot: POST ``{"msgtype": "markdown", "markdown": {"title": …,
"text": …}}`` to ``NOTIFY_DINGTALK_URL?access_token=TOKEN``, signed when the robot has a secret:
``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret, "<ms>\\n<secret>")>``. Both answer
HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success; any other errcode is a failure.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from .. import sms
from ..errors import DeliveryFailed
from ..models import Channel, ChannelPreference, Delivery
from .content import content_of, markdown, plain_text, short_text

# errcodes after which a retry cannot help (the robot's key, token or security setting is wrong);
# the others (e.g. WeChat Work 45009, DingTalk 130101: too many messages a minute) are retried.
WECOM_PERMANENT = {93000}  # invalid webhook url (no such key)
DINGTALK_PERMANENT = {300001, 310000}  # token does not exist; signature, keyword or IP check failed


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The DingTalk robot signature: base64 HMAC-SHA256 of "<timestamp>\\n<secret>" keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def post_json(url: str, body: dict, headers: dict | None = None) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the base URL is configuration)
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _check_errcode(raw: bytes, permanent: set[int]) -> None:
    try:
        answer = json.loads(raw)
        errcode = int(answer.get("errcode"))
    except (ValueError, TypeError, AttributeError) as exc:
        raise DeliveryFailed(f"unreadable answer: {raw[:200]!r}") from exc
    if errcode != 0:
        raise DeliveryFailed(f"errcode {errcode}: {answer.get('errmsg', '')}", permanent=errcode in permanent)


def send_email(delivery: Delivery) -> None:
    content = content_of(delivery)
    send_mail(content.title, plain_text(content), settings.DEFAULT_FROM_EMAIL, [delivery.address],
              fail_silently=False)


def _payload(note) -> dict:
    enterprise = note.enterprise
    return {
        "kind": note.kind, "subject": note.subject, "body": note.body, "url": note.url, "source": note.source,
        "created_at": note.created_at.isoformat(),
        "enterprise": None if enterprise is None else {
            "credit_code": enterprise.credit_code, "name": enterprise.name, "phone": enterprise.contact_phone},
        "user": None if note.user is None else {"username": note.user.username, "phone": note.user.phone},
    }


def send_webhook(delivery: Delivery) -> None:
    content = content_of(delivery)
    body = _payload(content.items[0]) if not content.is_digest else {
        "kind": "digest", "subject": content.title, "items": [_payload(note) for note in content.items]}
    # A worker killed after the gateway took the message but before the "sent" mark committed sends it
    # again (late acknowledgement): the same key on both requests lets the gateway drop the second.
    post_json(delivery.address, body, {"Idempotency-Key": f"notification-delivery-{delivery.pk}"})


def send_wecom(delivery: Delivery) -> None:
    content = content_of(delivery)
    url = f"{settings.NOTIFY_WECOM_URL}?{urllib.parse.urlencode({'key': delivery.address})}"
    raw = post_json(url, {"msgtype": "markdown", "markdown": {"content": markdown(content)}})
    _check_errcode(raw, WECOM_PERMANENT)


def send_dingtalk(delivery: Delivery) -> None:
    content = content_of(delivery)
    query = {"access_token": delivery.address}
    secret = ChannelPreference.objects.filter(user_id=delivery.user_id).values_list("dingtalk_secret", flat=True) \
        .first() if delivery.user_id else ""
    if secret:
        timestamp = int(time.time() * 1000)
        query |= {"timestamp": timestamp, "sign": dingtalk_sign(secret, timestamp)}
    raw = post_json(f"{settings.NOTIFY_DINGTALK_URL}?{urllib.parse.urlencode(query)}",
                    {"msgtype": "markdown", "markdown": {"title": content.title[:64], "text": markdown(content)}})
    _check_errcode(raw, DINGTALK_PERMANENT)


def send_sms(delivery: Delivery) -> None:
    gateway = sms.backend()
    text = short_text(content_of(delivery))
    gateway.send(delivery.address, text if getattr(gateway, "adds_signature", False) else sms.fit(text))


SENDERS = {Channel.EMAIL: send_email, Channel.WEBHOOK: send_webhook, Channel.WECOM: send_wecom,
           Channel.DINGTALK: send_dingtalk, Channel.SMS: send_sms}
