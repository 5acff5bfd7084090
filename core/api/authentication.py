"""API authentication: tokens with an expiry (``API_TOKEN_TTL``), the revocation of a user's tokens when
the password changes, and the forced first password change, which holds for the API as for the pages: an
account that must change its password reaches only the password change, ``me`` and logout (403
``password_change_required`` elsewhere), whether it comes with a token or a session. Kept apart from the
login views: DRF imports it while reading its settings."""
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from core import clock

# The routes an account that must change its password may still use (core/api/urls.py).
OPEN_BEFORE_PASSWORD_CHANGE = {"api-password", "api-me", "api-logout"}


def token_expired(token: Token) -> bool:
    return token.created <= clock.now() - settings.API_TOKEN_TTL


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_detail = _("Change your password first (POST /api/v1/auth/password/).")
    default_code = "password_change_required"


def _gate(request, result):
    """Refuse an authenticated account that must change its password, except on the open routes."""
    if result is not None and getattr(result[0], "must_change_password", False):
        match = getattr(request._request, "resolver_match", None)
        if match is None or match.url_name not in OPEN_BEFORE_PASSWORD_CHANGE:
            raise PasswordChangeRequired()
    return result


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` while the token is younger than ``API_TOKEN_TTL``."""

    def authenticate(self, request):
        return _gate(request, super().authenticate(request))

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; log in again."))
        return user, token


class PasswordCheckedSessionAuthentication(SessionAuthentication):
    """The web session (with DRF's CSRF check), under the same forced password change."""

    def authenticate(self, request):
        return _gate(request, super().authenticate(request))


def revoke_tokens_on_password_change(sender, instance, update_fields=None, **kwargs):
    """``pre_save`` of the user model: a new password hash deletes the user's API tokens."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
