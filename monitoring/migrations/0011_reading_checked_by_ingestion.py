"""The reading table loses its four foreign keys (a constraint and two triggers on every daily partition,
a deferred check on every stored row); ingestion validates what it stores and
``monitoring.services.reading_guards`` refuses to delete what readings point to. The aggregate table
keeps half of each page free, so the upsert of every batch updates its rows in place (HOT updates,
no new entry in its seven indexes); PostgreSQL only."""
import django.db.models.deletion
from django.db import migrations, models


def aggregate_pages_half_free(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE monitoring_aggregate SET (fillfactor = 50)")


def aggregate_pages_full(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE monitoring_aggregate RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0007_heavy_metal_names'),
        ('monitoring', '0010_analyser_states'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reading',
            name='device',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='monitoring.device', verbose_name='device'),
        ),
        migrations.AlterField(
            model_name='reading',
            name='outlet',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enterprises.outlet', verbose_name='outlet'),
        ),
        migrations.AlterField(
            model_name='reading',
            name='pollutant',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enterprises.pollutant', verbose_name='pollutant'),
        ),
        migrations.AlterField(
            model_name='reading',
            name='station',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='monitoring.station', verbose_name='station'),
        ),
        migrations.RunPython(aggregate_pages_half_free, aggregate_pages_full),
    ]
