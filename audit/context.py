"""Who is acting right now: the web/API request being served, a Celery task, a management command.

A context variable holds the current ``Acting`` (the request, whose ``user`` is read lazily so DRF's
token authentication, which runs after the middleware, is seen; or a plain label such as
``task:ecocode.tasks.score_all``). With nothing set, the actor is ``command:<name>`` under
``manage.py <name>`` and ``system`` otherwise.
"""
import re
import sys
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from core.net import client_ip

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Acting:
    label: str = ""
    request: object = None
    request_id: str = ""
    ip: str | None = None


_current: ContextVar[Acting | None] = ContextVar("audit_acting", default=None)


def default_label() -> str:
    if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py":
        return f"command:{sys.argv[1]}"
    return "system"


def current() -> Acting:
    return _current.get() or Acting(label=default_label())


def actor() -> tuple[object | None, str, str, str | None]:
    """(user or None, label, request id, ip) of whoever is acting now."""
    acting = current()
    if acting.request is not None:
        user = getattr(acting.request, "user", None)
        if user is not None and user.is_authenticated:
            return user, user.get_username(), acting.request_id, acting.ip
        return None, "anonymous", acting.request_id, acting.ip
    return None, acting.label, acting.request_id, acting.ip


@contextmanager
def acting_as(label: str):
    """Attribute the changes made inside the block to ``label`` (e.g. ``task:<name>``)."""
    token = _current.set(Acting(label=label))
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Makes the request the acting context, with a request id (the client's ``X-Request-ID`` when it is
    a short plain token, else a fresh one, echoed in the response) and the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = _current.set(Acting(request=request, request_id=request_id,
                                    ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response
