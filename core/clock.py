"""The one clock of the platform.

Services ask ``clock.now()`` for the time instead of calling ``timezone.now()`` or
``datetime.now()`` themselves, so tests can freeze and move time (``clock.frozen``).
"""
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current aware time, or the frozen time inside ``frozen()``."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: datetime):
    """Freeze ``now()`` at ``at`` (aware) for the duration of the block; yields a mover."""
    global _frozen
    previous = _frozen
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    _frozen = at

    def advance(delta: timedelta) -> datetime:
        global _frozen
        _frozen = _frozen + delta
        return _frozen

    try:
        yield advance
    finally:
        _frozen = previous
