"""SMS gateways behind one interface: ``backend().send(phone, text)``, chosen by ``NOTIFY_SMS_BACKEND``.

``LoggingBackend`` (the embedded default) writes each text to the log; ``HttpBackend`` posts it as
JSON to the county's gateway (``NOTIFY_SMS_URL``, bearer ``NOTIFY_SMS_TOKEN``) and accepts only a 2xx
answer whose JSON ``code`` (if any) is 0 / "0" / "OK". ``fit`` cuts a text to one SMS with the
signature. A backend raises ``DeliveryFailed`` with the reason.
"""
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import DeliveryFailed

log = logging.getLogger(__name__)


def fit(text: str) -> str:
    """The signature and ``text`` in at most ``NOTIFY_SMS_MAX_CHARS`` characters (cut with an ellipsis)."""
    signature = settings.NOTIFY_SMS_SIGNATURE
    room = settings.NOTIFY_SMS_MAX_CHARS - len(signature)
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


def backend():
    return import_string(settings.NOTIFY_SMS_BACKEND)()
