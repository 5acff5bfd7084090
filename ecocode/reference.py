"""The default indicator catalogue (102 indicators) and the five colour bands, from ``ecocode/data/*.csv``.

Loaded by migration ``ecocode/0002`` and again whenever the catalogue tables are empty (after a
database flush: ``seed_demo --reset``, transactional tests). An edited catalogue is never overwritten.
"""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data"


def load_catalogue(indicator_model, band_model, version_model) -> bool:
    """Insert the default catalogue as version 1 if there is none. Models are passed in so the
    migration can use its historical ones. Returns whether anything was loaded."""
    from .services.catalogue import snapshot

    if indicator_model.objects.exists() or band_model.objects.exists():
        return False
    with open(DATA / "indicators.csv", encoding="utf-8") as f:
        indicator_model.objects.bulk_create([
            indicator_model(code=r["code"], group=r["group"], name=r["name"], weight=Decimal(r["weight"]),
                            rule=r["rule"], params=json.loads(r["params"]), source=r["source"],
                            colour_cap=r["colour_cap"])
            for r in csv.DictReader(f)
        ])
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
