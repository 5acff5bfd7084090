"""Loads the indicator catalogue (102 indicators) and the five colour bands from ``ecocode/data/*.csv``
and records them as catalogue version 1."""
from django.db import migrations


def load(apps, schema_editor):
    from ecocode.reference import load_catalogue

    load_catalogue(apps.get_model("ecocode", "Indicator"), apps.get_model("ecocode", "ColourBand"),
                   apps.get_model("ecocode", "CatalogueVersion"))


def unload(apps, schema_editor):
    for name in ("CatalogueVersion", "Indicator", "ColourBand"):
        apps.get_model("ecocode", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ecocode", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
