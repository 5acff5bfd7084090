"""The curated names of w20116/w20122/w20123 follow the HJ 212-2017 table (总铬, 总铜, 总锌): they had been
written one code off (w20125 is 总铁, w20120 总铅), so a device's copper read as zinc. Reload the names."""
from django.db import migrations


def load(apps, schema_editor):
    from enterprises.reference import load_reference_data

    load_reference_data(apps.get_model("enterprises", "Pollutant"), apps.get_model("enterprises", "Industry"))


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0006_user_must_change_password"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
