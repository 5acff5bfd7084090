"""Models moved out of this app: their state goes (the tables stay and are renamed by their new app)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('fieldsync', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay: the models now live in another app, which renames them.
            state_operations=[
                migrations.DeleteModel(
                    name='IdempotencyRecord',
                ),
            ],
        ),
    ]
