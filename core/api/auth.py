"""Token login and logout for mobile clients, and ``me`` (who am I, what am I bound to).

``POST auth/token/`` with username and password answers a token (one per user, reused until it
expires); clients send it as ``Authorization: Token <key>``. A token older than ``API_TOKEN_TTL`` is
refused (401) and deleted, and changing the password deletes the user's tokens. Login attempts are
throttled per username and address (and locked out by django-axes after repeated failures).
``POST auth/logout/`` deletes the token. ``POST auth/password/`` changes the password (Django's
validators), which revokes the old tokens and answers a new one; until an account whose password was
seeded or set by an administrator has done so, it reaches nothing else but ``me`` and logout
(``core.api.authentication``). Web pages use the session instead.
"""
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from core import clock
from core.accounts import password_change_save
from core.net import client_ip

from .authentication import token_expired


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    township = serializers.IntegerField(source="township_id", allow_null=True)
    township_name = serializers.CharField(source="township.name", default=None)
    grid = serializers.IntegerField(source="grid_id", allow_null=True)
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", default=None)
    is_superuser = serializers.BooleanField()
    must_change_password = serializers.BooleanField()


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class LoginThrottle(SimpleRateThrottle):
    """At most 10 login attempts a minute per username and client address (password guessing)."""

    scope = "login"
    rate = "10/min"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", ""))[:150] if hasattr(request.data, "get") else ""
        return self.cache_format % {"scope": self.scope, "ident": f"{client_ip(request)}:{username}"}


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=LoginSerializer, responses={200: inline_serializer(
        "TokenResponse", {"token": serializers.CharField(), "user": MeSerializer()})})
    def post(self, request):
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}, code="authorization")
        return Response({"token": _token_of(user).key, "user": MeSerializer(user).data})


def _token_of(user) -> Token:
    """The user's token, a new one if there is none or it expired."""
    token = Token.objects.filter(user=user).first()
    if token is None or token_expired(token):
        Token.objects.filter(user=user).delete()
        try:
            token = Token.objects.create(user=user)
        except IntegrityError:  # a simultaneous login of the same user made it first
            token = Token.objects.get(user=user)
        Token.objects.filter(pk=token.pk).update(created=clock.now())  # the platform's clock, not auto_now
    return token


class PasswordSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordThrottle(UserRateThrottle):
    """At most 10 password changes (old-password guesses) a minute per user."""

    scope = "password"
    rate = "10/min"


class PasswordView(APIView):
    throttle_classes = [PasswordThrottle]

    @extend_schema(request=PasswordSerializer, responses={200: inline_serializer(
        "PasswordChangedResponse", {"token": serializers.CharField(), "user": MeSerializer()})})
    def post(self, request):
        data = PasswordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = data.validated_data["new_password"]
        form = PasswordChangeForm(request.user, {"old_password": data.validated_data["old_password"],
                                                 "new_password1": new, "new_password2": new})
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise serializers.ValidationError({
                ("new_password" if field.startswith("new_password") else field): [e["message"] for e in errs]
                for field, errs in errors.items()})
        user = password_change_save(form)  # deletes the old tokens
        return Response({"token": _token_of(user).key, "user": MeSerializer(user).data})


class LogoutView(APIView):

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
