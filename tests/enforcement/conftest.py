"""Service tests assert the English msgids (the UI's zh-Hans is asserted by the page tests)."""
import pytest
from django.utils import translation


@pytest.fixture
def english():
    with translation.override("en"):
        yield
