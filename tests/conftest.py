"""Shared fixtures. Tests run on the real PostgreSQL given by DATABASE_URL (see scripts/test.sh)."""
import os
import time

import pytest
from django.conf import settings
from pytest_django.plugin import blocking_manager_key


@pytest.fixture(autouse=True, scope="session")
def _own_lockout_counters():
    """HJ 212 failure counters live in the shared Redis cache: each test session counts in a key space
    of its own, so a run never inherits another's lock-outs."""
    settings.HJ212_LOCKOUT_KEY = f"test-{os.getpid()}-{time.time_ns()}"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool((marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
                or "transactional_db" in names or "live_server" in names)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, reference data included (pollutant codes,
    industries, the eco-code catalogue: loaded by migrations). Load it again so the tests after it
    find it, and drop the ingestion's cache of pollutant ids, which the reload changes."""
    yield
    if _is_transactional(item) and nextitem is not None:  # after the last test the database is gone
        from core.reference import load_all
        from monitoring.services.ingest import forget_pollutants

        with item.config.stash[blocking_manager_key].unblock():
            load_all()
        forget_pollutants()


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE']} {db.get('HOST', '')}:{db.get('PORT', '')}; redis: {settings.REDIS_URL or 'none'}"
