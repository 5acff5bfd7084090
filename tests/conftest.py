"""Shared fixtures. Tests run on the real PostgreSQL given by DATABASE_URL (see scripts/test.sh)."""
import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE']} {db.get('HOST', '')}:{db.get('PORT', '')}; redis: {settings.REDIS_URL or 'none'}"
