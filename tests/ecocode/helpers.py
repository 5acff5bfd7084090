"""Helpers of the eco-code tests: score a hand-built case on hand-written indicators."""
from ecocode.rules import Context
from ecocode.services.scoring import evaluate

from .conftest import NOW


def ind(rule: str, weight=10, cap: str = "", **params) -> dict:
    """An indicator as it appears in a catalogue snapshot."""
    return {"code": "", "name": rule, "group": "management", "weight": str(weight), "rule": rule, "params": params,
            "source": "", "colour_cap": cap, "active": True}


def points(enterprise, *indicators, at=NOW) -> list[float]:
    """Points each indicator costs ``enterprise``."""
    snap = {"indicators": [dict(i, code=f"T{n:02d}") for n, i in enumerate(indicators)], "bands": []}
    losses, unavailable = evaluate(snap, Context(at, (enterprise.pk,)))
    assert unavailable == []
    got = {e["code"]: e["points"] for e in losses.get(enterprise.pk, [])}
    return [got.get(f"T{n:02d}", 0) for n in range(len(indicators))]
