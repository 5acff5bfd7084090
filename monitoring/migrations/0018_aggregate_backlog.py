"""The aggregate backlog: readings a busy HJ 212 server stored whose windows are counted a moment later
(``monitoring.services.aggregate_backlog``). A plain heap, no key, no index and no foreign keys: rows go in
with their readings and come out all at once, counted into their windows; nothing looks one up."""
from django.db import migrations

COLUMNS = """
    device_id bigint NOT NULL,
    outlet_id bigint,
    station_id bigint,
    pollutant_id bigint NOT NULL,
    kind varchar(8) NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    value double precision,
    flag varchar(1) NOT NULL
"""


def create(apps, schema_editor):
    # A queue: every row is deleted within seconds, so its dead rows are vacuumed away early (a fold reads the
    # whole table, dead rows too).
    storage = (" WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 50000)"
               if schema_editor.connection.vendor == "postgresql" else "")
    schema_editor.execute(f"CREATE TABLE monitoring_aggregate_backlog ({COLUMNS}){storage}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE monitoring_aggregate_backlog")


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0017_aggregate_partitioned"),
    ]

    operations = [migrations.RunPython(create, drop)]
