"""OpenAPI details the API adds to drf-spectacular's schema: the ``Idempotency-Key`` header on the
writes that honour it, and the session scheme for the session authentication that holds the forced
password change (drf-spectacular matches subclasses of the token scheme, not of the session one)."""
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="A client-chosen unique key (e.g. a UUID) per intended write. A retry with the same key "
                "returns the first response and creates nothing new; the same key with another body is "
                "answered 422. Keys are kept 24 hours per user.")


class PasswordCheckedSessionScheme(SessionScheme):
    target_class = "core.api.authentication.PasswordCheckedSessionAuthentication"


class AutoSchema(SpectacularAutoSchema):
    def _handler(self):
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, name, None)

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if getattr(self._handler(), "idempotent", False):
            params.append(IDEMPOTENCY_PARAMETER)
        return params
