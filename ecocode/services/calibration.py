"""The calibration report: what the catalogue does to the county, read from the latest full run.

* the colour distribution (insufficient data counted apart, and by management class);
* per indicator: how many enterprises it charged, the points it took, how many episodes it found
  already charged by a more precise indicator, its weight and the weight's stated source;
* sensitivity: how many enterprises would change colour if an indicator's weight were halved or raised
  by half, and if a band's lowest score moved two points down or up.

All of it in SQL over the stored explanations, a few statements whatever the size of the county, on
PostgreSQL and on the embedded SQLite alike: the few words the dialects spell differently (the set of a
JSON array's elements, its length, the larger of two values) come from ``_dialect``; the rest is common
SQL (``CAST``, ``->>``, ``FILTER``). Enterprises with insufficient data are left out of the sensitivity
(no weight makes them scored).
"""
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from ..models import Colour, Indicator, Score, ScoringRun
from ..rules import unavailable_reason

FACTORS = (Decimal("0.5"), Decimal("1.5"))
BAND_SHIFTS = (-2, 2)
CAP_RANK = "CASE {c} WHEN 'blue' THEN 1 WHEN 'yellow' THEN 2 WHEN 'orange' THEN 3 WHEN 'red' THEN 4 ELSE 0 END"

# Per dialect: the explanation's entries as rows ``e`` with column ``value``; the length of an entry's
# "already charged" list; the larger of two values.
DIALECTS = {
    "postgresql": {"entries": "jsonb_array_elements(s.explanation) AS e(value)",
                   "already": "jsonb_array_length(COALESCE(e.value->'already_charged', '[]'::jsonb))",
                   "greatest": "GREATEST"},
    "sqlite": {"entries": "json_each(s.explanation) AS e",
               "already": "COALESCE(json_array_length(e.value, '$.already_charged'), 0)",
               "greatest": "MAX"},
}
CHARGES = """
    SELECT s.id AS sid, s.score, e.value->>'code' AS code, CAST(e.value->>'points' AS NUMERIC) AS pts,
           e.value->>'cap' AS cap, {already} AS already
    FROM ecocode_score s CROSS JOIN {entries}
    WHERE s.run_id = %(run)s AND s.colour <> 'grey'
"""
PER_SCORE = """
    charges AS ({charges}),
    per_score AS (SELECT s.id AS sid, s.score,
                         COALESCE(MAX({cap_rank}) FILTER (WHERE c.pts > 0), 0) AS cap_rank,
                         COALESCE(SUM(c.pts), 0) AS lost
                  FROM ecocode_score s LEFT JOIN charges c ON c.sid = s.id
                  WHERE s.run_id = %(run)s AND s.colour <> 'grey' GROUP BY s.id, s.score)
"""


def _sql() -> dict:
    """The dialect's pieces: the charges of a run, each score with them, the larger of two values."""
    words = DIALECTS[connection.vendor]
    charges = CHARGES.format(**words)
    return {"charges": charges, "per_score": PER_SCORE.format(charges=charges, cap_rank=CAP_RANK.format(c="c.cap")),
            "greatest": words["greatest"]}


def _band_sql(value: str, thresholds: list[Decimal]) -> str:
    """The rank (0 green … 4 red) of a score expression by the thresholds of green, blue, yellow, orange."""
    whens = " ".join(f"WHEN {value} >= {t} THEN {n}" for n, t in enumerate(thresholds))
    return f"(CASE {whens} ELSE 4 END)"


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _grey_by_class(run: ScoringRun) -> list[tuple[str, str, int]]:
    """How many enterprises of each management class had insufficient data (why the grey share is what it is)."""
    from enterprises.models.enterprises import ManagementClass

    rows = (Score.objects.filter(run=run, colour=Colour.GREY).values_list("enterprise__management_class")
            .annotate(n=Count("pk")).order_by("-n"))
    return [(c, str(ManagementClass(c).label) if c in ManagementClass.values else c, n) for c, n in rows]


def report(run: ScoringRun | None = None) -> dict | None:
    """The report of ``run`` (default: the latest nightly run), or None before any full run."""
    run = run or ScoringRun.objects.filter(trigger=ScoringRun.Trigger.NIGHTLY).order_by("-started_at").first()
    if run is None:
        return None
    params = {"run": run.pk}
    sql = _sql()
    greatest, charges, per_score = sql["greatest"], sql["charges"], sql["per_score"]
    bands = {b["colour"]: Decimal(b["min_score"]) for b in run.catalogue_version.snapshot["bands"]}
    thresholds = [bands[c] for c in Colour.scored()[:-1]]
    counts = dict(_rows("SELECT colour, count(*) FROM ecocode_score WHERE run_id = %(run)s GROUP BY colour", params))
    total = sum(counts.values())
    distribution = [{"colour": c, "label": Colour(c).label, "n": counts.get(c, 0),
                     "share": round(100 * counts.get(c, 0) / total, 1) if total else 0} for c in Colour.values]

    grey_by_class = [{"class": c, "label": label, "n": n} for c, label, n in _grey_by_class(run)]
    per_indicator = {code: {"touched": touched, "points": float(points or 0), "already": already}
                     for code, touched, points, already in _rows(f"""
        WITH charges AS ({charges})
        SELECT code, count(*) FILTER (WHERE pts > 0), sum(pts), sum(already) FROM charges GROUP BY code""", params)}
    old = f"{greatest}({_band_sql('p.score', thresholds)}, p.cap_rank)"
    changes = {}
    for factor in FACTORS:
        new_score = f"{greatest}(0, 100 - (p.lost + c.pts * ({factor} - 1)))"
        new = f"{greatest}({_band_sql(new_score, thresholds)}, p.cap_rank)"
        for code, better, worse in _rows(f"""
            WITH {per_score}
            SELECT c.code, count(*) FILTER (WHERE {new} < {old}), count(*) FILTER (WHERE {new} > {old})
            FROM charges c JOIN per_score p ON p.sid = c.sid WHERE c.pts > 0 GROUP BY c.code""", params):
            changes[(code, factor)] = (better, worse)
    indicators = []
    for ind in Indicator.objects.filter(active=True).order_by("code"):
        stats = per_indicator.get(ind.code, {"touched": 0, "points": 0.0, "already": 0})
        indicators.append({
            "code": ind.code, "name": ind.name, "weight": ind.weight, "weight_source": ind.weight_source,
            "competes": ind.competes, **stats,
            "sensitivity": [{"factor": f, "better": changes.get((ind.code, f), (0, 0))[0],
                             "worse": changes.get((ind.code, f), (0, 0))[1]} for f in FACTORS],
        })
    band_rows = []
    for n, colour in enumerate(Colour.scored()[:-1]):
        shifts = []
        for shift in BAND_SHIFTS:
            moved = list(thresholds)
            moved[n] += shift
            new = f"{greatest}({_band_sql('p.score', moved)}, p.cap_rank)"
            ((better, worse),) = _rows(f"""
                WITH {per_score}
                SELECT count(*) FILTER (WHERE {new} < {old}), count(*) FILTER (WHERE {new} > {old})
                FROM per_score p""", params)
            shifts.append({"shift": shift, "min_score": moved[n], "better": better, "worse": worse})
        band_rows.append({"colour": colour, "label": Colour(colour).label, "min_score": thresholds[n], "shifts": shifts})
    active = [i for i in indicators if i["touched"] or i["already"]]
    quiet = [i for i in indicators if not (i["touched"] or i["already"])]
    return {"run": run, "total": total, "distribution": distribution, "grey_by_class": grey_by_class,
            "indicators": indicators,
            "indicator_parts": [{"quiet": False, "rows": active}, {"quiet": True, "rows": quiet}],
            "bands": band_rows,
            "unavailable": [dict(u, reason=unavailable_reason(u)) for u in run.unavailable_rules]}
