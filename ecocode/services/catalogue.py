"""Versions of the indicator catalogue.

``snapshot`` captures indicators and colour bands as plain JSON; ``current_version`` returns the
latest ``CatalogueVersion`` and records a new one whenever the tables differ from it (an admin edit,
or a change made any other way), so a score always names a version that holds exactly what it used.
"""
from django.db import transaction

from core import clock

from ..models import CatalogueVersion, ColourBand, Indicator

INDICATOR_FIELDS = ("code", "name", "group", "weight", "weight_source", "rule", "params", "source", "colour_cap",
                    "competes", "precedence", "active")
# When an enterprise's data cover too little of the window to score it (see ``services.coverage``).
COVERAGE = {"online_min_ratio": 0.5, "online_window_days": 30, "conduct_window_days": 365}
BAND_FIELDS = ("colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
               "green_subsidy_eligible", "warning_only", "measures")


def snapshot(indicator_model=Indicator, band_model=ColourBand) -> dict:
    """The catalogue as JSON (models can be passed in for use from migrations)."""
    def plain(row):
        return {k: str(v) if k in ("weight", "min_score", "penalty_discretion_factor") else v
                for k, v in row.items()}
    have = {f.name for f in indicator_model._meta.get_fields()}
    fields = [f for f in INDICATOR_FIELDS if f in have]
    return {
        "indicators": [plain(r) for r in indicator_model.objects.order_by("code").values(*fields)],
        "bands": [plain(r) for r in band_model.objects.order_by("-min_score").values(*BAND_FIELDS)],
        "coverage": COVERAGE,
    }


def current_version(*, user=None, note: str = "") -> CatalogueVersion:
    """The latest version, after recording a new one if the catalogue changed since."""
    with transaction.atomic():
        # Serialise writers: the number must be consecutive and a snapshot recorded once.
        latest = CatalogueVersion.objects.select_for_update().order_by("-number").first()
        snap = snapshot()
        if latest is not None and latest.snapshot == snap:
            return latest
        return CatalogueVersion.objects.create(
            number=(latest.number + 1) if latest else 1, snapshot=snap, created_by=user,
            note=(note or "catalogue changed")[:300], created_at=clock.now(),
        )


def diff(old: CatalogueVersion | None, new: CatalogueVersion) -> list[str]:
    """What changed between two versions, one line per indicator or band field."""
    lines = []
    for part, key in (("indicators", "code"), ("bands", "colour")):
        before = {r[key]: r for r in (old.snapshot[part] if old else [])}
        after = {r[key]: r for r in new.snapshot[part]}
        for k in sorted(set(before) | set(after)):
            if k not in before:
                lines.append(f"+ {k}")
            elif k not in after:
                lines.append(f"- {k}")
            else:
                lines += [f"{k}.{f}: {before[k].get(f)!r} → {after[k][f]!r}"
                          for f in after[k] if before[k].get(f) != after[k][f]]
    return lines
