"""The default indicator catalogue (105 indicators) and the five colour bands, from ``ecocode/data/*.csv``.

Loaded by migration ``ecocode/0002`` and again whenever the catalogue tables are empty (after a
database flush: ``seed_demo --reset``, transactional tests). An edited catalogue is never overwritten.
"""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data"


def indicator_rows(indicator_model) -> list[dict]:
    """The indicators of ``indicators.csv`` as field values, limited to the fields ``indicator_model``
    has (a historical model of an early migration lacks the later columns)."""
    have = {f.name for f in indicator_model._meta.get_fields()}
    with open(DATA / "indicators.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    typed = [dict(r, weight=Decimal(r["weight"]), params=json.loads(r["params"]),
                  precedence=int(r.get("precedence") or 0)) for r in rows]
    return [{k: v for k, v in r.items() if k in have} for r in typed]


def load_catalogue(indicator_model, band_model, version_model) -> bool:
    """Insert the default catalogue as version 1 if there is none. Models are passed in so the
    migration can use its historical ones. Returns whether anything was loaded."""
    from .services.catalogue import snapshot

    if indicator_model.objects.exists() or band_model.objects.exists():
        return False
    indicator_model.objects.bulk_create([indicator_model(**r) for r in indicator_rows(indicator_model)])
    with open(DATA / "colour_bands.csv", encoding="utf-8") as f:
        band_model.objects.bulk_create([
            band_model(colour=r["colour"], min_score=Decimal(r["min_score"]),
                       inspections_per_year=int(r["inspections_per_year"]),
                       penalty_discretion_factor=Decimal(r["penalty_discretion_factor"]),
                       green_subsidy_eligible=r["green_subsidy_eligible"] == "1", warning_only=r["warning_only"] == "1",
                       measures=r["measures"])
            for r in csv.DictReader(f)
        ])
    number = (version_model.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version_model.objects.create(number=number, created_at=timezone.now(), note="initial catalogue",
                                 snapshot=snapshot(indicator_model, band_model))
    return True


def load() -> None:
    from .models import CatalogueVersion, ColourBand, Indicator

    load_catalogue(Indicator, ColourBand, CatalogueVersion)
