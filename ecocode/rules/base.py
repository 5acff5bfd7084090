"""The building blocks of rules: the scoring context, a rule's parameter spec, facts and deductions."""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import CharField, Count, F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.db import JsonArrayAgg

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
    # What a run computes once for several indicators (e.g. the inconsistent reports), by key.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def once(self, key, compute: Callable):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

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
    fact: Callable | None = None  # None: the fact is the count ``n`` of the records
    select: Callable | None = None
    lacks_data: Callable | None = None  # why this rule's own source has no data (ctx → msgid or None)
    per_row: Callable | None = None  # a detail family's row values → the values summed per enterprise

    @property
    def counts_records(self) -> bool:
        """Whether the fact is the number of records (so relief and competition change it)."""
        return self.mode == COUNT and self.fact is None

    def fact_of(self, values: dict, params: dict, ctx):
        return values["n"] if self.fact is None else self.fact(values, params, ctx)


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
    # The records a counting rule rests on: their type (see ``ecocode.records``), id and date paths.
    record_type: str = ""
    record_id: str = "id"
    record_at: str | None = None
    # ``lacks_data(ctx)``: why the family has no data to score with, or None when it has.
    lacks_data: Callable | None = None

    def counted(self, q: Q, *, ep=None, type: str = "", id: str = "", at: str | None = "") -> dict:
        """The aggregates of a counting rule: how many distinct records match ``q`` (``n``) and which
        they are (``records``: type, id, date and the episode key that one fact is charged once by, as JSON text)."""
        rid = Cast(F(id or self.record_id), CharField())
        kind = type or self.record_type
        at = self.record_at if at == "" else at
        record = JSONObject(type=Value(kind), id=rid, at=F(at) if at else Value(None),
                            ep=ep if ep is not None else Concat(Value(f"{kind}:"), rid))
        # As JSON text: decoded only for the few indicators that charge (``scoring._records``).
        return {"n": Count(id or self.record_id, filter=q, distinct=True),
                "records": Cast(JsonArrayAgg(record, filter=q), TextField())}

    def rule(self, key: str, params: dict, reason: str, mode: str = COUNT, fact=None, select=None, lacks_data=None,
             per_row=None):
        """Decorator registering the decorated aggregates function as rule ``<family>.<key>``."""
        def register(aggregates):
            full = f"{self.key}.{key}"
            self.rules[full] = Rule(full, params, aggregates, reason, mode, fact=fact, select=select,
                                    lacks_data=lacks_data, per_row=per_row)
            return aggregates
        return register

    def unavailable(self, ctx: Context) -> str | None:
        """Why this family cannot score (an English msgid), or None: a model it reads does not exist on
        this platform, or the source holds no data at all for the scoring window."""
        for label in self.requires:
            try:
                apps.get_model(label)
            except LookupError:
                return N_("the data source %(source)s does not exist on this platform")
        return self.lacks_data(ctx) if self.lacks_data else None


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


def key_part(path: str):
    """A field as text, for building episode keys in SQL."""
    return Cast(F(path), CharField())


def unavailable_reason(entry: dict) -> str:
    """Why a rule of a run could not score, in the active language."""
    try:
        return _(entry["reason"]) % {"source": entry.get("source", "")}
    except (KeyError, TypeError, ValueError):
        return _(entry.get("reason", ""))


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
