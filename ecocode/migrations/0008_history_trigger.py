"""Scoring runs of a past month (``scoring.score_past_months``): the colour history from the records of
its windows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ecocode', '0007_device_checks_transfers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='scoringrun',
            name='trigger',
            field=models.CharField(choices=[('nightly', 'nightly'), ('on_demand', 'on demand'), ('review', 'after an objection or repair decision'), ('history', 'a past month, scored afterwards')], max_length=16, verbose_name='trigger'),
        ),
    ]
