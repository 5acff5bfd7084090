"""The scoring engine: every enterprise against the catalogue, set-based, each deduction with its records.

``evaluate`` runs one grouped query per rule family over all enterprises (each indicator adds its
conditional aggregates, among them the records it rests on as a JSON array, to its family's query),
keeps what costs points before relief and competition (decoding only those records), then per enterprise:

* drops the records an accepted objection or an approved credit repair relieved (``relieved``);
* charges each episode once: indicators that compete for the same fact (the catalogue's ``competes``)
  are taken by ``precedence``; an episode the first one charged is "already charged" for the others;
* turns what is left into points lost, capped at the indicator's weight.

``run`` stores a ``Score`` per enterprise with that explanation, grades an enterprise whose data cover
too little of the window "insufficient data" (``services.coverage``), records the rules without a data
source, updates each ``EcoCode``, records ``ColourChange``s and notifies the enterprises whose colour
changed (``services.notices``). ``score_all`` (nightly), ``score_enterprise`` (on demand, after a
review decision) and ``score_past_months`` (the colours of past months, from the records of their windows)
go through the same code.
"""
import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import F

from core import clock
from core.beside import Beside
from core.db import advisory_lock
from enterprises.models import Enterprise

from ..colours import colour_for
from ..models import CatalogueVersion, Colour, ColourChange, EcoCode, Score, ScoringRun
from ..rules import FAMILIES, RULES, Context, check_params, deduction, family_of
from . import coverage, notices
from .catalogue import current_version

log = logging.getLogger(__name__)

BASE_SCORE = Decimal(100)


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def unavailable_rules(snapshot: dict, ctx: Context) -> tuple[list[dict], set[str]]:
    """The active rules that cannot score (rule, its indicators, the reason) and the set of their keys."""
    found = {}
    for ind in snapshot["indicators"]:
        if not ind["active"]:
            continue
        rule = RULES.get(ind["rule"])
        if ind["rule"] not in found:
            reason = ("no such rule on this platform" if rule is None
                      else family_of(ind["rule"]).unavailable(ctx) or (rule.lacks_data(ctx) if rule.lacks_data
                                                                      else None))
            source = ", ".join(family_of(ind["rule"]).requires) if rule else ""
            found[ind["rule"]] = {"rule": ind["rule"], "codes": [], "reason": reason, "source": source}
        found[ind["rule"]]["codes"].append(ind["code"])
    missing = [entry for entry in found.values() if entry["reason"]]
    return missing, {entry["rule"] for entry in missing}


def evaluate(snapshot: dict, ctx: Context, relieved: dict | None = None) -> tuple[dict[int, list[dict]], list[dict]]:
    """Explanation entries (indicators that cost points, or whose records another indicator already
    charged) per enterprise id, and the rules without a data source (not evaluated)."""
    unavailable, skip = unavailable_rules(snapshot, ctx)
    by_family = defaultdict(list)
    for ind in snapshot["indicators"]:
        if ind["active"] and ind["rule"] not in skip:
            by_family[family_of(ind["rule"]).key].append((ind, RULES[ind["rule"]], check_params(ind["rule"], ind["params"])))
    raw = defaultdict(list)
    for key, items in by_family.items():
        weights = [Decimal(ind["weight"]) for ind, _, _ in items]
        for eid, n, values in _family_values(FAMILIES[key], [(rule, params) for _, rule, params in items], ctx):
            ind, rule, params = items[n]
            # Only what costs points before relief and competition is charged, shared or relieved.
            if deduction(rule, rule.fact_of(values, params, ctx), params, weights[n]) > 0:
                raw[eid].append((ind, rule, params, values))
    relieved = relieved or {}
    losses = {}
    for eid, found in raw.items():
        entries = _charge(eid, found, ctx, relieved.get(eid, {}))
        if entries:
            losses[eid] = entries
    return losses, unavailable


def _decoded(records) -> list[dict]:
    """Records as the family's query gave them (JSON text) or as a rule built them (a list)."""
    return json.loads(records) if isinstance(records, str) else records or []


def _records(values: dict) -> list[dict]:
    """The records of one indicator's values, each once, oldest first."""
    seen, out = set(), []
    for rec in _decoded(values.pop("records", None)):
        key = (rec["type"], str(rec["id"]))
        if key not in seen:
            seen.add(key)
            out.append({"type": rec["type"], "id": str(rec["id"]), "at": _jsonable(rec.get("at")), "ep": rec["ep"]})
    return sorted(out, key=lambda r: (r["at"] or "", r["id"]))


def _charge(eid: int, found: list, ctx: Context, relief: dict) -> list[dict]:
    """One enterprise's explanation: relief applied, each episode charged once, points computed."""
    charged: dict[tuple[str, str], str] = {}  # (competition, episode key) → code of the indicator that charged it
    entries = []
    # Competing indicators in precedence order; the others in any order (nothing to share).
    order = sorted(found, key=lambda f: (f[0].get("competes") or "", int(f[0].get("precedence") or 0), f[0]["code"]))
    for ind, rule, params, values in order:  # each costs points before relief and competition (``evaluate``)
        values = dict(values)
        records = _records(values)
        weight = Decimal(ind["weight"])
        fact = rule.fact_of(values, params, ctx)
        group = ind.get("competes") or ""
        # A fact without rows of its own (no valid permit, a ratio) rests on the enterprise's registry entry.
        records = records or [{"type": "enterprise", "id": str(eid), "at": None, "ep": f"{group or ind['code']}:{eid}"}]
        fresh, already, lifted = [], [], []
        for rec in records:
            if rec["ep"] in relief:
                lifted.append(dict(rec, by=relief[rec["ep"]]))
            elif group and (group, rec["ep"]) in charged:
                already.append(dict(rec, by=charged[(group, rec["ep"])]))
            else:
                fresh.append(rec)
        if rule.counts_records:
            fact = len({r["ep"] for r in fresh}) if group else len(fresh)
        elif not fresh:
            fact = None  # every record it rests on was relieved or already charged
        points = deduction(rule, fact, params, weight)
        if points > 0 and group:
            for rec in fresh:
                charged.setdefault((group, rec["ep"]), ind["code"])
        if points > 0 or already or lifted:
            entries.append({
                "code": ind["code"], "name": ind["name"], "group": ind["group"], "rule": ind["rule"],
                "points": float(points), "cap": ind["colour_cap"] if points > 0 else "", "params": params,
                "evidence": {**{k: _jsonable(v) for k, v in values.items()}, "fact": _jsonable(fact)},
                "records": fresh if points > 0 else [], "already_charged": already, "relieved": lifted,
            })
    return sorted(entries, key=lambda e: (-e["points"], e["code"]))


def _family_values(family, items, ctx):
    """One grouped query for the family: yields (enterprise id, index of the item, values). Identical
    aggregate expressions of several indicators are computed once, and a later reader of the same run
    (the coverage) whose expressions the family's query already computed reads its rows again."""
    wanted, needed = [], []
    for rule, params in items:
        aggregates = rule.aggregates(params, ctx)
        needed += aggregates.values()
        wanted.append((rule, params, aggregates))
    days = max((params.get("window_days") or 0 for _, params in items), default=0) or None
    cached = ctx.memo.get(("family rows", family.key, days))
    if cached is not None and all(expr in cached[0] for expr in needed):
        aliases, rows = cached
    else:
        aliases = {}
        for expr in needed:
            aliases.setdefault(expr, f"a{len(aliases)}")
        qs = family.queryset(ctx, days)
        if ctx.enterprise_ids is not None:
            qs = qs.filter(**{f"{family.enterprise}__in": ctx.enterprise_ids})
        group = {"eid": F(family.enterprise), **{k: F(path) for k, path in family.detail.items()}}
        rows = list(qs.order_by().values(**group).annotate(**{alias: expr for expr, alias in aliases.items()}))
        ctx.memo[("family rows", family.key, days)] = (aliases, rows)
    wanted = [(rule, params, {name: aliases[expr] for name, expr in aggregates.items()})
              for rule, params, aggregates in wanted]
    if not family.detail:
        for row in rows:
            if row["eid"] is not None:
                for n, (rule, params, names) in enumerate(wanted):
                    yield row["eid"], n, {name: row[a] for name, a in names.items()}
        return
    sums = {}
    for row in rows:
        for n, (rule, params, names) in enumerate(wanted):
            if row["eid"] is None or not rule.select(params, row):
                continue
            values = {name: row[a] for name, a in names.items()}
            if rule.per_row:
                values = rule.per_row(values, params, ctx)
            acc = sums.setdefault((row["eid"], n), {})
            for name, value in values.items():
                if name == "records":
                    acc[name] = acc.get(name, []) + _decoded(value)
                else:
                    acc[name] = acc.get(name, 0) + (value or 0)
    for (eid, n), values in sums.items():
        yield eid, n, values


def family_rows(rule, params: dict, ctx: Context):
    """(enterprise id, values) of one rule alone (for readers other than the scoring run)."""
    for eid, _, values in _family_values(family_of(rule.key), [(rule, params)], ctx):
        yield eid, values


def score_of(entries: list[dict], bands: list[dict], *, insufficient: bool) -> tuple[Decimal, str, dict]:
    """Score, colour and points per group of an explanation (grey: insufficient data, unless the
    deductions already put the enterprise below green)."""
    lost = sum((Decimal(str(e["points"])) for e in entries), Decimal(0))
    value = max(Decimal(0), BASE_SCORE - lost)
    colour = colour_for(value, bands, [e["cap"] for e in entries])
    if insufficient and colour == Colour.GREEN:
        colour = Colour.GREY
    group_points = defaultdict(float)
    for e in entries:
        if e["points"]:
            group_points[e["group"]] += e["points"]
    return value, colour, {k: round(v, 2) for k, v in group_points.items()}


def _lock() -> None:
    """One scoring at a time (nightly and on-demand runs write the same EcoCode rows)."""
    advisory_lock("ecocode.scoring")


@dataclass(frozen=True)
class Evaluation:
    """What a run reads for its moment: the catalogue version, the enterprises, their explanation entries
    (``evaluate``), the rules without a data source and the enterprises with too little data. A run writes
    nothing that another run's evaluation reads, so several moments can be read at once (``core.beside``)."""

    version_id: int
    target_ids: list
    losses: dict
    unavailable: list
    grey: set


def evaluation_of(*, as_of: dt.datetime, enterprise_ids=None) -> Evaluation:
    """Read what a run at ``as_of`` of ``enterprise_ids`` (None: every enterprise not closed) scores."""
    from .reviews import relieved_episodes

    version: CatalogueVersion = current_version()
    ids = None if enterprise_ids is None else tuple(enterprise_ids)
    targets = (Enterprise.objects.exclude(status=Enterprise.Status.CLOSED) if ids is None
               else Enterprise.objects.filter(pk__in=ids))
    ctx = Context(as_of, ids)
    target_ids = list(targets.order_by("pk").values_list("pk", flat=True))
    losses, unavailable = evaluate(version.snapshot, ctx, relieved_episodes(ids))
    grey = coverage.insufficient(version.snapshot["coverage"], ctx, target_ids)
    return Evaluation(version.pk, target_ids, losses, unavailable, grey)


def run(*, trigger: str, enterprise_ids=None, as_of: dt.datetime | None = None, notify: bool = True,
        evaluation: Evaluation | None = None) -> ScoringRun:
    """Score the given enterprises (None: every enterprise not closed) and store the results; ``notify``
    False records the colour changes without telling the enterprises (a past month's). ``evaluation``:
    what was read for this moment beforehand (``evaluation_of``, same enterprises), else read here, under
    the lock; one read for another catalogue version is read again."""
    as_of = as_of or clock.now()
    started = clock.now()
    version: CatalogueVersion = current_version()
    with transaction.atomic():
        _lock()
        if evaluation is None or evaluation.version_id != version.pk:
            evaluation = evaluation_of(as_of=as_of, enterprise_ids=enterprise_ids)
        ids = None if enterprise_ids is None else tuple(enterprise_ids)
        target_ids, losses, unavailable, grey = (evaluation.target_ids, evaluation.losses, evaluation.unavailable,
                                                 evaluation.grey)
        scoring = ScoringRun.objects.create(
            trigger=trigger, as_of=as_of, started_at=started, catalogue_version=version,
            unavailable_rules=[dict(u, enterprises=len(target_ids)) for u in unavailable])
        bands = version.snapshot["bands"]
        scores = []
        for eid in target_ids:
            entries = losses.get(eid, [])
            value, colour, group_points = score_of(entries, bands, insufficient=eid in grey)
            scores.append(Score(run=scoring, enterprise_id=eid, catalogue_version=version, computed_at=as_of,
                                score=value, colour=colour, group_points=group_points, explanation=entries))
        Score.objects.bulk_create(scores, batch_size=2000)
        changes = _update_codes(scores, as_of, all_enterprises=ids is None)
        scoring.enterprises = len(scores)
        scoring.colour_changes = len(changes)
        scoring.insufficient = sum(1 for s in scores if s.colour == Colour.GREY)
        scoring.finished_at = clock.now()
        scoring.save(update_fields=["enterprises", "colour_changes", "insufficient", "finished_at"])
        if notify:
            notices.colour_changed(changes)
    log.info("eco-code run %s: %s enterprises, %s colour changes, %s insufficient data, %s rules without data",
             scoring.pk, len(scores), len(changes), scoring.insufficient, len(unavailable))
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


def score_all(as_of: dt.datetime | None = None) -> ScoringRun:
    """The nightly run: every enterprise."""
    return run(trigger=ScoringRun.Trigger.NIGHTLY, as_of=as_of)


def score_past_months(months, *, as_of: dt.datetime | None = None) -> list[ScoringRun]:
    """Score every enterprise as it stood ``months`` (30-day months, e.g. ``(7, 4, 1)``) before ``as_of``,
    oldest first: each run reads the records of the windows that ended then (reports due, warnings opened,
    orders opened, inspections and penalties decided by that moment), so the colour history that the
    positive list and the enterprise file read is a real one. Registry state (a permit's status, a device's
    registration) is read as it is now. The colour changes are recorded at their moment and not announced;
    the present colour is the next nightly run's. The later moments are read beside the first run
    (``core.beside``: in processes of their own where the database allows), then stored in order."""
    as_of = as_of or clock.now()
    first = as_of - dt.timedelta(days=30 * max(months))
    if ColourChange.objects.filter(changed_at__gt=first).exists():
        raise ValueError("a colour history comes before the colours recorded since its first month")
    moments = [as_of - dt.timedelta(days=30 * n) for n in sorted(months, reverse=True)]
    later = [Beside(partial(evaluation_of, as_of=moment)) for moment in moments[1:]]
    runs = [run(trigger=ScoringRun.Trigger.HISTORY, as_of=moments[0], notify=False)]
    return runs + [run(trigger=ScoringRun.Trigger.HISTORY, as_of=moment, notify=False, evaluation=read.result())
                   for moment, read in zip(moments[1:], later, strict=True)]


def score_enterprise(enterprise: Enterprise, as_of: dt.datetime | None = None,
                     trigger: str = ScoringRun.Trigger.ON_DEMAND) -> Score:
    """Score one enterprise now (same rules, same queries restricted to it)."""
    scoring = run(trigger=trigger, enterprise_ids=[enterprise.pk], as_of=as_of)
    return Score.objects.get(run=scoring, enterprise=enterprise)


def ensure_code(enterprise: Enterprise) -> EcoCode:
    """The enterprise's EcoCode, created (unscored, with its token) if it has none yet."""
    return EcoCode.objects.get_or_create(enterprise=enterprise)[0]
