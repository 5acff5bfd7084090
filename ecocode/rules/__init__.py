"""The rules that score indicators, grouped in families.

A family is one source of data (execution reports, permits, complaints, …). The scoring engine runs
ONE grouped query per family over all enterprises: every indicator of the family adds its conditional
aggregates (``COUNT(*) FILTER (WHERE …)``, ``SUM``, ``MAX``) to that query, with its parameters in the
SQL. A rule then turns an enterprise's aggregate values into a fact (a count or a ratio), and
``deduction`` turns the fact into the points lost, capped at the indicator's weight.
"""
from .base import Context, Family, Rule, check_params, deduction, describe, unavailable_reason
from .registry import FAMILIES, RULES, family_of

__all__ = ["Context", "Family", "Rule", "FAMILIES", "RULES", "family_of", "check_params", "deduction", "describe",
           "unavailable_reason"]
