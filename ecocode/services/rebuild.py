"""Rebuilding a stored score from its catalogue version and the records it names, to defend it.

``rebuild`` recomputes every deduction from the version's weight and parameters and the records the
explanation lists (the fact of a counting indicator is the number of its records, or of their episodes
for a competing one), then the score and the colour. ``replay`` evaluates the same catalogue version
again at the score's time and compares the records each indicator rests on. ``differences`` returns
what does not match (empty: the score stands as stored).
"""
from decimal import Decimal

from ..models import Score
from ..rules import RULES, Context, check_params, deduction
from .reviews import relieved_episodes
from .scoring import evaluate, score_of


def rebuild(score: Score) -> tuple[Decimal, str, dict[str, float]]:
    """(score, colour, points per indicator) from the score's catalogue version and its records."""
    snapshot = score.catalogue_version.snapshot
    indicators = {i["code"]: i for i in snapshot["indicators"]}
    points, entries = {}, []
    for entry in score.explanation:
        ind = indicators[entry["code"]]
        rule = RULES[ind["rule"]]
        params = check_params(ind["rule"], ind["params"])
        if rule.counts_records:
            records = entry["records"]
            fact = len({r["ep"] for r in records}) if ind.get("competes") else len(records)
        else:
            fact = entry["evidence"]["fact"] if entry["records"] else None
        points[entry["code"]] = float(deduction(rule, fact, params, Decimal(ind["weight"])))
        entries.append({"points": points[entry["code"]], "group": ind["group"],
                        "cap": ind["colour_cap"] if points[entry["code"]] > 0 else ""})
    grey = score.colour == "grey"
    value, colour, _ = score_of(entries, snapshot["bands"], insufficient=grey)
    return value, colour, points


def replay(score: Score) -> dict[str, list[tuple[str, str]]]:
    """The records (type, id) each indicator charges when the score's catalogue version is evaluated again
    at the score's time."""
    ctx = Context(score.computed_at, (score.enterprise_id,))
    losses, _ = evaluate(score.catalogue_version.snapshot, ctx, relieved_episodes((score.enterprise_id,)))
    return {e["code"]: [(r["type"], r["id"]) for r in e["records"]] for e in losses.get(score.enterprise_id, [])}


def differences(score: Score) -> list[str]:
    """What a rebuild or a replay finds different from the stored score (empty when it stands)."""
    value, colour, points = rebuild(score)
    out = []
    if (value, colour) != (score.score, score.colour):
        out.append(f"score {score.score} {score.colour} rebuilt as {value} {colour}")
    for entry in score.explanation:
        if points[entry["code"]] != entry["points"]:
            out.append(f"{entry['code']}: {entry['points']} rebuilt as {points[entry['code']]}")
    stored = {e["code"]: [(r["type"], r["id"]) for r in e["records"]] for e in score.explanation}
    replayed = replay(score)
    for code in sorted(set(stored) | set(replayed)):
        if stored.get(code, []) != replayed.get(code, []):
            out.append(f"{code}: records {stored.get(code, [])} replayed as {replayed.get(code, [])}")
    return out
