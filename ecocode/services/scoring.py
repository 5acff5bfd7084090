"""The scoring engine: every enterprise against the catalogue, set-based.

``evaluate`` runs one grouped query per rule family over all enterprises (each indicator adds its
conditional aggregates to its family's query) and turns the values into points lost. ``run`` stores a
``Score`` per enterprise with its explanation, updates each ``EcoCode``, records ``ColourChange``s and
notifies the enterprises whose colour changed. ``score_all`` (nightly) and ``score_enterprise`` (on
demand) are the two entry points; both go through the same code.
"""
import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from core import clock
from core.db import advisory_lock
from enterprises.models import Enterprise
from notifications.services import Message, notify_many

from ..colours import COLOURS, colour_for
from ..models import CatalogueVersion, Colour, ColourChange, EcoCode, Score, ScoringRun
from ..rules import FAMILIES, RULES, Context, check_params, deduction, family_of
from .catalogue import current_version

log = logging.getLogger(__name__)

BASE_SCORE = Decimal(100)


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def evaluate(snapshot: dict, ctx: Context) -> tuple[dict[int, list[dict]], list[str]]:
    """Explanation entries (the indicators that cost points) per enterprise id, and the rules whose
    data source does not exist on this platform (not evaluated)."""
    by_family, unavailable = defaultdict(list), set()
    for ind in snapshot["indicators"]:
        if not ind["active"]:
            continue
        rule = RULES.get(ind["rule"])
        if rule is None or not family_of(ind["rule"]).available():
            unavailable.add(ind["rule"])
            continue
        by_family[family_of(ind["rule"]).key].append((ind, rule, check_params(ind["rule"], ind["params"])))
    losses = defaultdict(list)
    for key, items in by_family.items():
        for eid, ind, rule, params, values in _family_values(FAMILIES[key], items, ctx):
            fact = rule.fact(values, params, ctx)
            points = deduction(rule, fact, params, Decimal(ind["weight"]))
            if points > 0:
                losses[eid].append({
                    "code": ind["code"], "name": ind["name"], "group": ind["group"], "rule": ind["rule"],
                    "points": float(points), "cap": ind["colour_cap"], "params": params,
                    "evidence": {**{k: _jsonable(v) for k, v in values.items()}, "fact": _jsonable(fact)},
                })
    return losses, sorted(unavailable)


def _family_values(family, items, ctx):
    """One grouped query for the family: yields (enterprise id, indicator, rule, params, values).
    Identical aggregate expressions of several indicators are computed once."""
    aliases, wanted = {}, []
    for ind, rule, params in items:
        names = {}
        for name, expr in rule.aggregates(params, ctx).items():
            names[name] = aliases.setdefault(expr, (f"a{len(aliases)}", expr))[0]
        wanted.append((ind, rule, params, names))
    days = max((params.get("window_days") or 0 for _, _, params in items), default=0) or None
    qs = family.queryset(ctx, days)
    if ctx.enterprise_ids is not None:
        qs = qs.filter(**{f"{family.enterprise}__in": ctx.enterprise_ids})
    group = {"eid": F(family.enterprise), **{k: F(path) for k, path in family.detail.items()}}
    rows = qs.order_by().values(**group).annotate(**dict(aliases.values()))
    if not family.detail:
        for row in rows:
            if row["eid"] is not None:
                for ind, rule, params, names in wanted:
                    yield row["eid"], ind, rule, params, {n: row[a] for n, a in names.items()}
        return
    sums = {}
    for row in rows:
        for n, (ind, rule, params, names) in enumerate(wanted):
            if row["eid"] is not None and rule.select(params, row):
                acc = sums.setdefault((row["eid"], n), dict.fromkeys(names, 0))
                for name, alias in names.items():
                    acc[name] += row[alias] or 0
    for (eid, n), values in sums.items():
        ind, rule, params, _ = wanted[n]
        yield eid, ind, rule, params, values


def _lock() -> None:
    """One scoring at a time (nightly and on-demand runs write the same EcoCode rows)."""
    advisory_lock("ecocode.scoring")


def run(*, trigger: str, enterprise_ids=None, as_of: dt.datetime | None = None) -> ScoringRun:
    """Score the given enterprises (None: every enterprise not closed) and store the results."""
    as_of = as_of or clock.now()
    started = clock.now()
    version: CatalogueVersion = current_version()
    ids = None if enterprise_ids is None else tuple(enterprise_ids)
    targets = (Enterprise.objects.exclude(status=Enterprise.Status.CLOSED) if ids is None
               else Enterprise.objects.filter(pk__in=ids))
    with transaction.atomic():
        _lock()
        losses, unavailable = evaluate(version.snapshot, Context(as_of, ids))
        scoring = ScoringRun.objects.create(trigger=trigger, as_of=as_of, started_at=started,
                                            catalogue_version=version, unavailable_rules=unavailable)
        bands = version.snapshot["bands"]
        scores = []
        for eid in targets.order_by("pk").values_list("pk", flat=True):
            entries = sorted(losses.get(eid, ()), key=lambda e: (-e["points"], e["code"]))
            lost = sum((Decimal(str(e["points"])) for e in entries), Decimal(0))
            value = max(Decimal(0), BASE_SCORE - lost)
            group_points = defaultdict(float)
            for e in entries:
                group_points[e["group"]] += e["points"]
            scores.append(Score(run=scoring, enterprise_id=eid, catalogue_version=version, computed_at=as_of,
                                score=value, colour=colour_for(value, bands, [e["cap"] for e in entries]),
                                group_points={k: round(v, 2) for k, v in group_points.items()},
                                explanation=entries))
        Score.objects.bulk_create(scores, batch_size=2000)
        changes = _update_codes(scores, as_of, all_enterprises=ids is None)
        scoring.enterprises = len(scores)
        scoring.colour_changes = len(changes)
        scoring.finished_at = clock.now()
        scoring.save(update_fields=["enterprises", "colour_changes", "finished_at"])
        _notify(changes)
    log.info("eco-code run %s: %s enterprises, %s colour changes, %s rules without data",
             scoring.pk, len(scores), len(changes), len(unavailable))
    return scoring


def _update_codes(scores: list[Score], as_of, *, all_enterprises: bool) -> list[ColourChange]:
    """Upsert each enterprise's EcoCode (keeping its token) and record colour changes."""
    codes = EcoCode.objects.all() if all_enterprises else \
        EcoCode.objects.filter(enterprise_id__in=[s.enterprise_id for s in scores])
    previous = dict(codes.values_list("enterprise_id", "colour"))
    EcoCode.objects.bulk_create(
        [EcoCode(enterprise_id=s.enterprise_id, colour=s.colour, score=s.score, latest=s, scored_at=as_of)
         for s in scores],
        update_conflicts=True, unique_fields=["enterprise"], update_fields=["colour", "score", "latest", "scored_at"],
        batch_size=2000,
    )
    changes = [ColourChange(enterprise_id=s.enterprise_id, from_colour=previous.get(s.enterprise_id) or "",
                            to_colour=s.colour, score=s, changed_at=as_of)
               for s in scores if (previous.get(s.enterprise_id) or "") != s.colour]
    ColourChange.objects.bulk_create(changes, batch_size=2000)
    return changes


def _notify(changes: list[ColourChange]) -> None:
    """Tell each enterprise whose colour changed, in one batch (a first colour is recorded, not announced)."""
    changed = [c for c in changes if c.from_colour]
    enterprises = Enterprise.objects.in_bulk([c.enterprise_id for c in changed])
    messages = []
    for change in changed:
        worse = COLOURS.index(change.to_colour) > COLOURS.index(change.from_colour)
        names = {"from": Colour(change.from_colour).label, "to": Colour(change.to_colour).label,
                 "score": change.score.score}
        body = (gettext("Your eco-code scored %(score)s points: its colour went down from %(from)s to %(to)s. "
                  "Log in to see the deductions.") if worse else
                gettext("Your eco-code scored %(score)s points: its colour went up from %(from)s to %(to)s. "
                  "Log in to see the deductions."))
        messages.append(Message(
            kind="ecocode.colour", enterprise=enterprises[change.enterprise_id],
            subject=gettext("Eco-code changed from %(from)s to %(to)s") % names, body=body % names,
            url=f"/ecocode/enterprise/{change.enterprise_id}/", source=f"ecocode:score:{change.score.pk}",
            dedup_key=f"ecocode:colour:{change.score.pk}",
        ))
    notify_many(messages)


def score_all(as_of: dt.datetime | None = None) -> ScoringRun:
    """The nightly run: every enterprise."""
    return run(trigger=ScoringRun.Trigger.NIGHTLY, as_of=as_of)


def score_enterprise(enterprise: Enterprise, as_of: dt.datetime | None = None) -> Score:
    """Score one enterprise now (same rules, same queries restricted to it)."""
    scoring = run(trigger=ScoringRun.Trigger.ON_DEMAND, enterprise_ids=[enterprise.pk], as_of=as_of)
    return Score.objects.get(run=scoring, enterprise=enterprise)


def ensure_code(enterprise: Enterprise) -> EcoCode:
    """The enterprise's EcoCode, created (unscored, with its token) if it has none yet."""
    return EcoCode.objects.get_or_create(enterprise=enterprise)[0]
