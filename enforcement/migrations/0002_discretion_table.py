"""Load the discretion table from enforcement/data/discretion.csv."""
from django.db import migrations


def load(apps, schema_editor):
    from enforcement.reference import load_discretion

    load_discretion(apps.get_model("enforcement", "DiscretionArticle"))


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
