"""Load the waste catalogue (general solid waste categories, hazardous waste codes)."""
from django.db import migrations


def load(apps, schema_editor):
    from waste.reference import load_catalogue

    load_catalogue(apps.get_model("waste", "WasteCategory"))


class Migration(migrations.Migration):
    dependencies = [("waste", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
