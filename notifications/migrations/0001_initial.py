"""Moved model state (the tables are renamed in the next migration of the app that now owns them)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('monitoring', '0003_alerts'),
        ('enterprises', '0003_area_code_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table exists already (made by the app the model came from): only the state moves here.
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(db_index=True, max_length=32, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(blank=True, verbose_name='body')),
                        ('url', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('source', models.CharField(blank=True, db_index=True, help_text='What it is about, e.g. alert:42 or workorder:7.', max_length=64, verbose_name='source')),
                        ('dedup_key', models.CharField(blank=True, help_text='A second notification with the same key is never created.', max_length=100, null=True, unique=True, verbose_name='deduplication key')),
                        ('created_at', models.DateTimeField(db_index=True, verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='enterprises.enterprise', verbose_name='enterprise')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'monitoring_notification',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('inapp', 'in-app inbox'), ('email', 'e-mail'), ('webhook', 'webhook (SMS / WeChat gateway)')], max_length=16, verbose_name='channel')),
                        ('address', models.CharField(blank=True, max_length=300, verbose_name='address')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('failed', 'failed for good')], default='pending', max_length=16, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('notification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.notification', verbose_name='notification')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'monitoring_delivery',
                    },
                ),
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.CheckConstraint(condition=models.Q(('enterprise__isnull', False), ('user__isnull', False), _connector='OR'), name='notification_has_recipient'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='delivery_due_idx'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('notification', 'channel'), name='one_delivery_per_channel'),
                ),
            ],
        ),
    ]
