"""Fixtures of the eco-code tests: a moment to score at and a small scored county."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import clock

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW
