"""Moved model state (the tables are renamed in the next migration of the app that now owns them)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('fieldsync', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table exists already (made by the app the model came from): only the state moves here.
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=255, verbose_name='idempotency key')),
                        ('method', models.CharField(max_length=8, verbose_name='method')),
                        ('path', models.CharField(max_length=500, verbose_name='path')),
                        ('fingerprint', models.CharField(help_text='SHA-256 of method, path and body; another body with the same key is refused.', max_length=64, verbose_name='request fingerprint')),
                        ('state', models.CharField(choices=[('in_progress', 'in progress'), ('done', 'done')], default='in_progress', max_length=16, verbose_name='state')),
                        ('status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='response status')),
                        ('response_body', models.JSONField(blank=True, null=True, verbose_name='response body')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('expires_at', models.DateTimeField(db_index=True, verbose_name='expires at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'idempotency record',
                        'verbose_name_plural': 'idempotency records',
                        'db_table': 'fieldsync_idempotencyrecord',
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='idempotency_key_unique_per_user')],
                    },
                ),
            ],
        ),
    ]
