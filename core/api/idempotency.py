"""Idempotent writes for clients on bad networks (``Idempotency-Key`` header, as in Stripe's API).

Decorate a write handler with ``@idempotent``. A request carrying the header claims the key for its
user (a row in ``core.IdempotencyRecord``) before the handler runs and stores the response it
returns. A retry with the same key and the same request (method, path, body, files) gets the stored
status and body back (header ``Idempotent-Replayed: true``) and the handler does not run again; the
same key with another request is answered 422; a retry while the first is still running, 409.
Permission comes first: on a detail route the view's ``get_object()`` (role, jurisdiction, object
permissions) runs before the key is looked at, so a stored response is never replayed to someone who may
no longer act on the object; a key already claimed by another user is refused (422), never replayed.
A handler that raises (a refused or failed request) releases the key: nothing was created, so the
retry may run. Without the header a request runs normally.
"""
import datetime as dt
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core import clock
from core.models import EXPIRES_AFTER, IdempotencyRecord

from .errors import Conflict, Unprocessable

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A claim still "in progress" after this long belongs to a request that died: it may be taken over.
STALE_AFTER = dt.timedelta(minutes=2)


def fingerprint(request) -> str:
    """SHA-256 over method, path, body fields and uploaded files' contents."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    fields, files = {}, []
    data = request.data
    if hasattr(data, "lists"):  # QueryDict (form or multipart)
        for name, values in data.lists():
            fields[name] = [v for v in values if not hasattr(v, "read")]
    else:
        fields = data
    for name, upload in getattr(request, "FILES", {}).items():
        file_hash = hashlib.sha256()
        for chunk in upload.chunks():
            file_hash.update(chunk)
        upload.seek(0)
        files.append([name, upload.size, file_hash.hexdigest()])
    digest.update(json.dumps(fields, cls=JSONEncoder, sort_keys=True, ensure_ascii=False).encode())
    digest.update(json.dumps(sorted(files)).encode())
    return digest.hexdigest()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [_("Send 1 to %(n)d printable characters.") % {"n": MAX_KEY_LENGTH}]}, code="invalid")
    return key


def claim(user, key: str, method: str, path: str, print_: str) -> tuple[IdempotencyRecord, bool]:
    """The record of ``(user, key)``: a fresh claim (``True``) or the earlier one (``False``). A claim
    released (deleted) by a failed first request between our insert and our read is claimed again."""
    now = clock.now()
    for _attempt in range(3):
        with transaction.atomic():
            IdempotencyRecord.objects.filter(user=user, key=key, expires_at__lte=now).delete()
            IdempotencyRecord.objects.filter(user=user, key=key, state=IdempotencyRecord.State.IN_PROGRESS,
                                             created_at__lt=now - STALE_AFTER).delete()
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(user=user, key=key, method=method, path=path[:500],
                                                            fingerprint=print_, created_at=now,
                                                            expires_at=now + EXPIRES_AFTER), True
            except IntegrityError:
                record = IdempotencyRecord.objects.filter(user=user, key=key).first()
                if record is not None:
                    return record, False
    raise Conflict(_("A request with this Idempotency-Key is still being processed; retry later."),
                   code="idempotency_in_progress")


def replay(record: IdempotencyRecord, print_: str) -> Response:
    if record.fingerprint != print_:
        raise Unprocessable(_("This Idempotency-Key was used for another request."), code="idempotency_key_reused")
    if record.state != IdempotencyRecord.State.DONE:
        raise Conflict(_("A request with this Idempotency-Key is still being processed; retry later."),
                       code="idempotency_in_progress")
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Make a DRF write handler honour the ``Idempotency-Key`` header (see the module docstring)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        if lookup and lookup in kwargs:
            view.get_object()  # 404/403 before any replay
        if IdempotencyRecord.objects.filter(key=key).exclude(user=request.user).exists():
            raise Unprocessable(_("This Idempotency-Key belongs to another user's request."),
                                code="idempotency_key_foreign")
        print_ = fingerprint(request)
        record, created = claim(request.user, key, request.method, request.path, print_)
        if not created:
            return replay(record, print_)
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500:
            record.delete()
            return response
        record.state = IdempotencyRecord.State.DONE
        record.status_code = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        record.save(update_fields=["state", "status_code", "response_body"])
        return response

    wrapper.idempotent = True
    return wrapper

