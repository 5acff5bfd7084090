"""The seam through which a warning becomes a work order.

An app that raises warnings (``alerts``, ``waste``) calls ``escalate(Escalation(...))`` and gets the
work order back; the app that owns work orders (``dispatch``) registers the handler when Django starts
(``DispatchConfig.ready``). So neither imports the other, and the rule of who handles an escalated
warning stays in dispatch.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Escalation:
    """What a work order opened from a warning needs to know."""

    source: str
    source_ref: str
    enterprise: object
    title: str
    description: str = ""
    evidence: dict = field(default_factory=dict)


_handler: Callable[[Escalation], object] | None = None
_many_handler: Callable[[list[Escalation]], list] | None = None


def register(handler: Callable[[Escalation], object], many: Callable[[list[Escalation]], list] | None = None) -> None:
    """Install the function that turns an ``Escalation`` into a work order (one per process), and the
    one that does it for a whole batch in a few statements (a storm escalates thousands at once)."""
    global _handler, _many_handler
    _handler, _many_handler = handler, many


def escalate(item: Escalation):
    """Open the work order for ``item`` through the registered handler; returns the work order."""
    if _handler is None:
        raise ImproperlyConfigured("no escalation handler registered (is the dispatch app installed?)")
    return _handler(item)


def escalate_many(items: list[Escalation]) -> list:
    """Open the work orders of ``items`` set-based; returns them in the same order."""
    if _handler is None:
        raise ImproperlyConfigured("no escalation handler registered (is the dispatch app installed?)")
    if _many_handler is None:
        return [_handler(item) for item in items]
    return _many_handler(items)
