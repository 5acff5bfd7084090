"""API token authentication with an expiry (``API_TOKEN_TTL``), and the revocation of a user's tokens
when the password changes. Kept apart from the login views: DRF imports it while reading its settings."""
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core import clock


def token_expired(token: Token) -> bool:
    return token.created <= clock.now() - settings.API_TOKEN_TTL


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` while the token is younger than ``API_TOKEN_TTL``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; log in again."))
        return user, token


def revoke_tokens_on_password_change(sender, instance, update_fields=None, **kwargs):
    """``pre_save`` of the user model: a new password hash deletes the user's API tokens."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
