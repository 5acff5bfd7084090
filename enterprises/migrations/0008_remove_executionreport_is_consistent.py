"""An execution report's consistency with the monitoring data is computed by the eco-code (its declared
emissions against the devices' cumulative emissions, ``ecocode.rules.consistency``), never typed: the
typed flag ``is_consistent``, read by nothing and False by default, is removed."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0007_heavy_metal_names"),
    ]

    operations = [migrations.RemoveField(model_name="executionreport", name="is_consistent")]
