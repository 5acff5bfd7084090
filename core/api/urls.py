"""Routes of the shared API pieces: login, logout, me, the password change."""
from django.urls import path

from . import auth

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("auth/me/", auth.MeView.as_view(), name="api-me"),
    path("auth/password/", auth.PasswordView.as_view(), name="api-password"),
]
