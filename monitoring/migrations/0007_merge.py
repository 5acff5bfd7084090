"""Joins the monitoring-truth and device-credential branches of the migration graph."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0005_monitoring_truth'),
        ('monitoring', '0006_device_credentials'),
    ]

    operations = [
    ]
