"""The rule of the township five-colour risk map (区域环境风险五色图), kept plain so it can be shown
on the page and tested.

    risk index = share of orange and red enterprises (in %)
               + 0.5 × open warnings per 100 enterprises
               + 1.0 × overdue work orders per 100 enterprises

    green < 5 ≤ blue < 10 ≤ yellow < 20 ≤ orange < 30 ≤ red

A township with no enterprises has index 0 (green). The weights say what counts: the standing of the
enterprises (their eco-code colours) first, then problems not yet dealt with (open warnings) and work
not done in time (overdue work orders) — an overdue order weighs twice an open warning.
"""
from dataclasses import dataclass

ORANGE_RED_WEIGHT = 1.0   # per percentage point of orange/red enterprises
WARNING_WEIGHT = 0.5      # per open warning per 100 enterprises
OVERDUE_WEIGHT = 1.0      # per overdue work order per 100 enterprises

#: (colour, lowest index earning it), worst first.
BANDS = (("red", 30.0), ("orange", 20.0), ("yellow", 10.0), ("blue", 5.0), ("green", 0.0))


@dataclass(frozen=True)
class Risk:
    index: float
    colour: str


def risk_index(*, enterprises: int, orange_red: int, open_warnings: int, overdue_orders: int) -> float:
    """The risk index of a township from its counts (see the module docstring)."""
    if enterprises <= 0:
        return 0.0
    per_100 = 100.0 / enterprises
    return (ORANGE_RED_WEIGHT * orange_red * per_100
            + WARNING_WEIGHT * open_warnings * per_100
            + OVERDUE_WEIGHT * overdue_orders * per_100)


def colour_of(index: float) -> str:
    for colour, lowest in BANDS:
        if index >= lowest:
            return colour
    return "green"


def township_risk(*, enterprises: int, orange_red: int, open_warnings: int, overdue_orders: int) -> Risk:
    """Index and colour of a township."""
    index = risk_index(enterprises=enterprises, orange_red=orange_red, open_warnings=open_warnings,
                       overdue_orders=overdue_orders)
    return Risk(round(index, 2), colour_of(index))


def rule_text() -> dict:
    """The rule's constants for the page that shows it."""
    return {"orange_red_weight": ORANGE_RED_WEIGHT, "warning_weight": WARNING_WEIGHT,
            "overdue_weight": OVERDUE_WEIGHT, "bands": [(c, lo) for c, lo in reversed(BANDS)]}
