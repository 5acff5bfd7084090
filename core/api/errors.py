"""The error format of the API and the translation of service errors into HTTP answers.

Every 4xx body has DRF's usual shape: ``{"field": ["reason", ...]}`` for invalid input, or
``{"detail": "reason", "code": "stable_code"}`` otherwise. Services raise Django's
``ValidationError``/``PermissionDenied`` or their own errors carrying a ``status_code``
(e.g. ``dispatch.workflow.WorkflowError``); ``service_errors`` turns them into DRF exceptions.
"""
import logging
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The action is not possible in the object's current state (an illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not possible in the current state.")
    default_code = "conflict"


class BadRequest(exceptions.APIException):
    """Bad input that concerns no single field (answered ``{"detail": ..., "code": ...}``)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Invalid request.")
    default_code = "invalid"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): [str(m) for e in errs for m in e.messages]
                for field, errs in error.error_dict.items()}
    return {"detail": " ".join(str(m) for m in error.messages)}


@contextmanager
def service_errors(*, state_conflict: bool = False):
    """Run a service call and answer its refusals in the API's format.

    ``state_conflict``: a plain (non-field) Django ``ValidationError`` means the object's state forbids
    the action (answered 409), not bad input (400)."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        body = _messages(exc)
        if "detail" in body:
            raise (Conflict if state_conflict else BadRequest)(
                body["detail"], code="invalid_state" if state_conflict else "invalid") from exc
        raise exceptions.ValidationError(body) from exc
    except Exception as exc:
        code = getattr(exc, "status_code", None)
        if not isinstance(code, int) or not 400 <= code < 500:
            raise
        error = {403: exceptions.PermissionDenied, 404: exceptions.NotFound, 409: Conflict}.get(code, BadRequest)
        raise error(str(exc) or None, code=_code_of(type(exc).__name__)) from exc


def _code_of(class_name: str) -> str:
    """``IllegalTransition`` → ``illegal_transition``: a stable code from the service's error class."""
    out = []
    for i, ch in enumerate(class_name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def exception_handler(exc, context):
    """DRF's handler, plus a ``code`` beside every ``detail`` (DRF keeps the code on the exception), and
    a JSON 500 for anything else."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, SuspiciousOperation):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the client's fault
        exc = BadRequest(str(exc) or None, code="request_refused")
    response = drf_exception_handler(exc, context)
    if response is None:  # not an API error: a bug or an outage; logged, answered in the API's format
        log.error("unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response({"detail": str(_("Server error; it has been logged.")), "code": "server_error"},
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(response.data, dict) and set(response.data) == {"detail"} and isinstance(exc,
                  exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, dict):
            codes = codes.get("detail")
        if isinstance(codes, list):
            codes = codes[0] if codes else None
        if isinstance(codes, str):
            response.data["code"] = codes
    return response
