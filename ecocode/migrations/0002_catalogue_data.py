"""Loads the indicator catalogue (102 indicators) and the five colour bands from ``ecocode/data/*.csv``
and records them as catalogue version 1."""
import csv
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    from ecocode.services.catalogue import snapshot

    Indicator = apps.get_model("ecocode", "Indicator")
    ColourBand = apps.get_model("ecocode", "ColourBand")
    CatalogueVersion = apps.get_model("ecocode", "CatalogueVersion")
    with open(DATA / "indicators.csv", encoding="utf-8") as f:
        Indicator.objects.bulk_create([
            Indicator(code=r["code"], group=r["group"], name=r["name"], weight=Decimal(r["weight"]), rule=r["rule"],
                      params=json.loads(r["params"]), source=r["source"], colour_cap=r["colour_cap"])
            for r in csv.DictReader(f)
        ])
    with open(DATA / "colour_bands.csv", encoding="utf-8") as f:
        ColourBand.objects.bulk_create([
            ColourBand(colour=r["colour"], min_score=Decimal(r["min_score"]),
                       inspections_per_year=int(r["inspections_per_year"]),
                       penalty_discretion_factor=Decimal(r["penalty_discretion_factor"]),
                       green_subsidy_eligible=r["green_subsidy_eligible"] == "1", warning_only=r["warning_only"] == "1",
                       measures=r["measures"])
            for r in csv.DictReader(f)
        ])
    CatalogueVersion.objects.create(number=1, created_at=timezone.now(), note="initial catalogue",
                                    snapshot=snapshot(Indicator, ColourBand))


def unload(apps, schema_editor):
    for name in ("CatalogueVersion", "Indicator", "ColourBand"):
        apps.get_model("ecocode", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ecocode", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
