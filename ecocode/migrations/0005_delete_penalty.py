"""ecocode.Penalty goes: penalty decisions come from the enforcement case register (enforcement.Case)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ecocode', '0004_catalogue_evidence'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Penalty',
        ),
    ]
