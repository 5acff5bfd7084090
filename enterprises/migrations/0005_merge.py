"""Joins the code-table and registry-import branches of the migration graph."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0004_hj212_code_table'),
        ('enterprises', '0004_registry_import'),
    ]

    operations = [
    ]
