"""SMS gateways behind one interface: ``backend().send(phone, text)``, chosen by ``NOTIFY_SMS_BACKEND``.

``LoggingBackend`` (the embedded default) writes each text to the log; ``HttpBackend`` posts it as
JSON to the county's gateway (``NOTIFY_SMS_URL``, bearer ``NOTIFY_SMS_TOKEN``) and accepts only a 2xx
answer whose JSON ``code`` (if any) is 0 / "0" / "OK"; ``AliyunBackend`` calls Aliyun SMS (阿里云短信服务)
``SendSms``, signed as its RPC API documents. ``fit`` cuts a text to one SMS with the signature (a
backend whose gateway adds the signature itself says so by ``adds_signature``). A backend raises
``DeliveryFailed`` with the reason.
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import DeliveryFailed

log = logging.getLogger(__name__)


def fit(text: str, *, signed: bool = True, limit: int | None = None) -> str:
    """``text`` after the signature (if ``signed``) in at most ``limit`` (``NOTIFY_SMS_MAX_CHARS``)
    characters, cut with an ellipsis."""
    signature = settings.NOTIFY_SMS_SIGNATURE if signed else ""
    room = (limit or settings.NOTIFY_SMS_MAX_CHARS) - len(signature)
    text = " ".join(text.split())
    return signature + (text if len(text) <= room else text[:room - 1] + "…")


class LoggingBackend:
    """Writes the text to the ``notifications.sms`` log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class HttpBackend:
    """A JSON-over-HTTP gateway: POST {"mobile", "content"} with a bearer token."""

    def send(self, phone: str, text: str) -> None:
        if not settings.NOTIFY_SMS_URL:
            raise DeliveryFailed("NOTIFY_SMS_URL is not set", permanent=True)
        data = json.dumps({"mobile": phone, "content": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.NOTIFY_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.NOTIFY_SMS_TOKEN}"
        request = urllib.request.Request(settings.NOTIFY_SMS_URL, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the URL is configuration)
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"SMS gateway answered HTTP {exc.code}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        code = answer.get("code", 0) if isinstance(answer, dict) else 0
        if code not in (0, "0", "OK"):
            raise DeliveryFailed(f"SMS gateway refused: code {code} {answer.get('message', '')}".strip())


def percent(value: str) -> str:
    """Aliyun's percent-encoding (RFC 3986: only letters, digits and ``-_.~`` stay as they are)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """The RPC signature v1.0: base64 HMAC-SHA1, keyed by ``secret + "&"``, of
    ``METHOD&%2F&percent(sorted, percent-encoded query)``."""
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent('/')}&{percent(query)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


class AliyunBackend:
    """Aliyun SMS ``SendSms`` (dysmsapi, version 2017-05-25), form-POSTed to ``NOTIFY_ALIYUN_SMS_URL``
    with the RPC common parameters and signature. The text goes in the approved template
    ``NOTIFY_ALIYUN_SMS_TEMPLATE`` as its variable ``NOTIFY_ALIYUN_SMS_PARAM`` (cut to
    ``NOTIFY_ALIYUN_SMS_PARAM_MAX`` characters, Aliyun's limit on a variable); Aliyun adds the signature
    ``NOTIFY_ALIYUN_SMS_SIGN_NAME`` itself. Success is ``{"Code": "OK"}``; a code naming a wrong
    account, key, signature, template or number ends the delivery at once, others (flow control,
    system errors) are retried. Each failure keeps Aliyun's code, message and RequestId."""

    adds_signature = True
    PERMANENT = frozenset({
        "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch",
        "isp.RAM_PERMISSION_DENY", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.PRODUCT_UN_SUBSCRIPT",
        "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.MOBILE_NUMBER_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.INVALID_JSON_PARAM",
        "isv.PARAM_NOT_SUPPORT_URL", "isv.BLACK_KEY_CONTROL_LIMIT",
    })

    def params(self, phone: str, text: str) -> dict[str, str]:
        """The signed request of one text (its own nonce and UTC timestamp)."""
        if not (settings.NOTIFY_ALIYUN_ACCESS_KEY_ID and settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET
                and settings.NOTIFY_ALIYUN_SMS_TEMPLATE):
            raise DeliveryFailed("NOTIFY_ALIYUN_ACCESS_KEY_ID, _SECRET or NOTIFY_ALIYUN_SMS_TEMPLATE is not set",
                                 permanent=True)
        value = fit(text, signed=False, limit=settings.NOTIFY_ALIYUN_SMS_PARAM_MAX)
        params = {
            "AccessKeyId": settings.NOTIFY_ALIYUN_ACCESS_KEY_ID, "Action": "SendSms", "Format": "JSON",
            "RegionId": settings.NOTIFY_ALIYUN_REGION, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0", "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25", "PhoneNumbers": phone, "SignName": settings.NOTIFY_ALIYUN_SMS_SIGN_NAME,
            "TemplateCode": settings.NOTIFY_ALIYUN_SMS_TEMPLATE,
            "TemplateParam": json.dumps({settings.NOTIFY_ALIYUN_SMS_PARAM: value}, ensure_ascii=False),
        }
        params["Signature"] = aliyun_signature(params, settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET, "POST")
        return params

    def send(self, phone: str, text: str) -> None:
        data = urllib.parse.urlencode(self.params(phone, text), quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(settings.NOTIFY_ALIYUN_SMS_URL, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the URL is configuration)
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:  # Aliyun answers 4xx/5xx with the same JSON error body
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise DeliveryFailed(f"Aliyun SMS unreachable: {type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(raw)
            code = str(answer["Code"])
        except (ValueError, TypeError, KeyError) as exc:
            raise DeliveryFailed(f"Aliyun SMS answered HTTP {status}: {raw[:200]!r}") from exc
        if code != "OK":
            raise DeliveryFailed(f"Aliyun SMS refused: {code} {answer.get('Message', '')} "
                                 f"(HTTP {status}, RequestId {answer.get('RequestId', '-')})",
                                 permanent=code in self.PERMANENT)


def backend():
    return import_string(settings.NOTIFY_SMS_BACKEND)()
