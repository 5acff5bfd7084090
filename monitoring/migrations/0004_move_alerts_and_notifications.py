"""Models moved out of this app: their state goes (the tables stay and are renamed by their new app)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0001_initial'),
        ('notifications', '0001_initial'),
        ('monitoring', '0003_alerts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay: the models now live in another app, which renames them.
            state_operations=[
                migrations.RemoveField(
                    model_name='alert',
                    name='acknowledged_by',
                ),
                migrations.RemoveField(
                    model_name='alert',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='alert',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='alert',
                    name='outlet',
                ),
                migrations.RemoveField(
                    model_name='alert',
                    name='pollutant',
                ),
                migrations.RemoveField(
                    model_name='alert',
                    name='work_order',
                ),
                migrations.RemoveField(
                    model_name='alertevent',
                    name='alert',
                ),
                migrations.RemoveField(
                    model_name='alertevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='alertevent',
                    name='silence',
                ),
                migrations.DeleteModel(
                    name='AlertSettings',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='notification',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='silence',
                    name='cancelled_by',
                ),
                migrations.RemoveField(
                    model_name='silence',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='silence',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='silence',
                    name='outlet',
                ),
                migrations.DeleteModel(
                    name='Alert',
                ),
                migrations.DeleteModel(
                    name='AlertEvent',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='Silence',
                ),
            ],
        ),
    ]
