"""Fixtures of the dashboard tests: a fast password hasher (the hand-built counties create several users)."""
import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
