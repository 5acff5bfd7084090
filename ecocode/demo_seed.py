"""Extends the demo county with its eco-codes: one full scoring run over everything the other apps
seeded (reports, monitoring data and warnings, self-checks, inspections, complaints)."""
from .services import scoring

ORDER = 90  # after every other app's demo data: the score reads them all


def extend(county) -> dict:
    run = scoring.score_all()
    return {"eco-codes scored": run.enterprises, "colour changes": run.colour_changes}
