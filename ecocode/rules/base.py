"""The building blocks of rules: the scoring context, a rule's parameter spec, facts and deductions."""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

REQUIRED = object()
COUNT, RATIO = "count", "ratio"
# Parameters every rule of a mode understands, besides its own.
SCORING_PARAMS = {
    COUNT: {"per_unit": (float, None), "min_count": (int, 1)},
    RATIO: {"min_ratio": (float, REQUIRED)},
}


@dataclass(frozen=True)
class Context:
    """When and for whom a run scores: ``enterprise_ids`` None means every enterprise."""

    as_of: dt.datetime
    enterprise_ids: tuple[int, ...] | None = None

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.as_of)

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def since(self, days: int) -> dt.datetime:
        return self.as_of - dt.timedelta(days=days)


@dataclass(frozen=True)
class Rule:
    """``aggregates(params, ctx)`` gives named aggregate expressions for the family's grouped query;
    ``fact(values, params, ctx)`` turns an enterprise's values into the measured quantity (None: not
    applicable); ``reason`` is an English msgid formatted with the values, the fact and the params."""

    key: str
    params: dict
    aggregates: Callable
    reason: str
    mode: str = COUNT
    fact: Callable = lambda values, params, ctx: values["n"]
    select: Callable | None = None


@dataclass
class Family:
    """One data source: ``queryset(ctx, days)`` gives its rows (``days``: the longest ``window_days`` of the
    family's indicators, for sources that bound their scan by it), ``enterprise`` the path to their
    enterprise id. ``requires`` names the models ("app.Model") it reads; without them it is unavailable.

    A family with ``detail`` (row key → field path) groups by enterprise AND those fields; its rules
    then compute the same aggregates for many indicators (computed once) and ``select(params, row)``
    picks the detail rows an indicator sums, e.g. the rows of its pollutants."""

    key: str
    queryset: Callable[[Context, int | None], QuerySet]
    enterprise: str
    requires: tuple[str, ...] = ()
    detail: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)

    def rule(self, key: str, params: dict, reason: str, mode: str = COUNT, fact=None, select=None):
        """Decorator registering the decorated aggregates function as rule ``<family>.<key>``."""
        def register(aggregates):
            full = f"{self.key}.{key}"
            kwargs = {"fact": fact} if fact else {}
            self.rules[full] = Rule(full, params, aggregates, reason, mode, select=select, **kwargs)
            return aggregates
        return register

    def available(self) -> bool:
        for label in self.requires:
            try:
                apps.get_model(label)
            except LookupError:
                return False
        return True


def check_params(rule_key: str, params: dict) -> dict:
    """``params`` with defaults filled in, or ValueError saying what is wrong."""
    from .registry import RULES

    rule = RULES.get(rule_key)
    if rule is None:
        raise ValueError(f"unknown rule {rule_key!r}")
    if not isinstance(params, dict):
        raise ValueError("parameters must be a JSON object")
    spec = {**rule.params, **SCORING_PARAMS[rule.mode]}
    unknown = set(params) - set(spec)
    if unknown:
        raise ValueError(f"unknown parameters for {rule_key}: {', '.join(sorted(unknown))}")
    checked = {}
    for name, (kind, default) in spec.items():
        if name not in params or params[name] is None:
            if default is REQUIRED:
                raise ValueError(f"{rule_key} needs parameter {name!r}")
            checked[name] = default
            continue
        value = params[name]
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float
              else isinstance(value, list) and all(isinstance(v, str) for v in value) if kind is list
              else isinstance(value, kind) and not isinstance(value, bool))
        if not ok or (kind in (int, float) and value < 0):
            raise ValueError(f"parameter {name!r} of {rule_key} must be a non-negative {kind.__name__}")
        checked[name] = value
    return checked


CENT = Decimal("0.01")


def deduction(rule: Rule, fact, params: dict, weight: Decimal) -> Decimal:
    """Points lost for ``fact``: a count costs ``per_unit`` (default: the weight) per unit once it reaches
    ``min_count``; a ratio below ``min_ratio`` costs the weight. Never more than the weight."""
    if fact is None:
        return Decimal(0)
    if rule.mode == RATIO:
        return weight if fact < params["min_ratio"] else Decimal(0)
    if fact < params["min_count"] or fact <= 0:
        return Decimal(0)
    per_unit = weight if params["per_unit"] is None else Decimal(str(params["per_unit"]))
    return min(weight, (per_unit * Decimal(fact)).quantize(CENT, ROUND_HALF_UP))


def describe(entry: dict) -> str:
    """The reason of one explanation entry, in the active language."""
    from .registry import RULES

    rule = RULES.get(entry.get("rule"))
    if rule is None:
        return ""
    try:
        return _(rule.reason) % {**entry.get("params", {}), **entry.get("evidence", {})}
    except (KeyError, TypeError, ValueError):
        return _(rule.reason)
