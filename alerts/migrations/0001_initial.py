"""Moved model state (the tables are renamed in the next migration of the app that now owns them)."""
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('monitoring', '0003_alerts'),
        ('dispatch', '0004_checklist_categories_from_permit_items'),
        ('enterprises', '0003_area_code_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table exists already (made by the app the model came from): only the state moves here.
            state_operations=[
                migrations.CreateModel(
                    name='AlertSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('near_limit_share', models.DecimalField(decimal_places=3, default=Decimal('0.800'), help_text='A half-hour average at or above this share of the limit raises an early warning.', max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0.1')), django.core.validators.MaxValueValidator(Decimal('0.999'))], verbose_name='near-limit share')),
                        ('missing_data_minutes', models.PositiveIntegerField(default=60, validators=[django.core.validators.MinValueValidator(5)], verbose_name='missing data after (minutes)')),
                        ('flat_line_minutes', models.PositiveIntegerField(default=120, help_text='Whole half-hours; the value must stay constant (or zero) over all of them.', validators=[django.core.validators.MinValueValidator(60)], verbose_name='flat-line window (minutes)')),
                        ('flat_line_tolerance', models.DecimalField(decimal_places=5, default=Decimal('0.00100'), help_text='Max minus min within this share of the limit counts as constant.', max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='flat-line tolerance (share of the limit)')),
                        ('repeat_minutes', models.PositiveIntegerField(default=5, validators=[django.core.validators.MinValueValidator(1)], verbose_name='re-notify every (minutes)')),
                        ('escalate_minutes', models.PositiveIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1)], verbose_name='escalate to an alarm after (minutes)')),
                        ('resolve_hold_minutes', models.PositiveIntegerField(default=60, help_text='Flap damping: a warning resolves only after its condition stayed clear this long; a recurrence within it continues the same warning.', validators=[django.core.validators.MinValueValidator(0)], verbose_name='clear for (minutes) before resolving')),
                        ('max_silence_hours', models.PositiveIntegerField(default=72, validators=[django.core.validators.MinValueValidator(1)], verbose_name='longest maintenance window (hours)')),
                    ],
                    options={
                        'verbose_name': 'warning settings',
                        'verbose_name_plural': 'warning settings',
                        'db_table': 'monitoring_alertsettings',
                    },
                ),
                migrations.CreateModel(
                    name='Alert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(choices=[('exceedance', 'exceedance of the permit limit'), ('near_limit', 'near the permit limit'), ('missing_data', 'missing data'), ('flat_line', 'constant or zero value'), ('device_flag', 'device fault or maintenance flag')], max_length=16, verbose_name='rule')),
                        ('state', models.CharField(choices=[('opened', 'opened'), ('notified', 'notified'), ('acknowledged', 'acknowledged'), ('resolved', 'resolved'), ('closed', 'closed by staff')], db_index=True, default='opened', max_length=16, verbose_name='state')),
                        ('opened_at', models.DateTimeField(db_index=True, verbose_name='opened at')),
                        ('last_seen_at', models.DateTimeField(verbose_name='last seen at')),
                        ('clear_since', models.DateTimeField(blank=True, help_text='The condition has been clear since then; resolves after the hold.', null=True, verbose_name='clear since')),
                        ('recurrences', models.PositiveIntegerField(default=0, verbose_name='recurrences while clearing')),
                        ('value', models.FloatField(blank=True, null=True, verbose_name='value')),
                        ('peak_value', models.FloatField(blank=True, null=True, verbose_name='worst value')),
                        ('limit_value', models.FloatField(blank=True, null=True, verbose_name='limit')),
                        ('evidence', models.JSONField(blank=True, default=dict, verbose_name='evidence')),
                        ('muted', models.CharField(blank=True, help_text='silence or inhibition when the last evaluation muted it', max_length=16, verbose_name='muted by')),
                        ('muted_until', models.DateTimeField(blank=True, help_text='End of the last maintenance window that muted it; the escalation clock restarts there.', null=True, verbose_name='muted until')),
                        ('last_notified_at', models.DateTimeField(blank=True, null=True, verbose_name='last notified at')),
                        ('notify_count', models.PositiveIntegerField(default=0, verbose_name='notifications sent')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                        ('is_alarm', models.BooleanField(default=False, verbose_name='escalated to an alarm')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                        ('resolved_message_sent', models.BooleanField(default=False, verbose_name='resolved message sent')),
                        ('close_reason', models.TextField(blank=True, verbose_name='reason for closing')),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by')),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='enterprises.enterprise', verbose_name='enterprise')),
                        ('outlet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='enterprises.outlet', verbose_name='outlet')),
                        ('pollutant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='enterprises.pollutant', verbose_name='pollutant')),
                        ('work_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='dispatch.workorder', verbose_name='work order')),
                    ],
                    options={
                        'verbose_name': 'warning',
                        'verbose_name_plural': 'warnings',
                        'db_table': 'monitoring_alert',
                        'ordering': ['-opened_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Silence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(verbose_name='ends at')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('created_at', models.DateTimeField(verbose_name='declared at')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='declared by')),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='silences', to='enterprises.enterprise', verbose_name='enterprise')),
                        ('outlet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='silences', to='enterprises.outlet', verbose_name='outlet')),
                    ],
                    options={
                        'verbose_name': 'maintenance window',
                        'verbose_name_plural': 'maintenance windows',
                        'db_table': 'monitoring_silence',
                        'ordering': ['-starts_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AlertEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('opened', 'opened'), ('notified', 'notified'), ('renotified', 'notified again'), ('muted', 'notification muted'), ('acknowledged', 'acknowledged'), ('escalated', 'escalated to an alarm'), ('cleared', 'condition clear'), ('recurred', 'condition back'), ('resolved', 'resolved'), ('closed', 'closed by staff'), ('silence_declared', 'maintenance window declared'), ('silence_cancelled', 'maintenance window cancelled')], max_length=20, verbose_name='kind')),
                        ('at', models.DateTimeField(verbose_name='at')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('actor', models.ForeignKey(blank=True, help_text='Empty when the evaluation did it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='alerts.alert', verbose_name='warning')),
                        ('silence', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='alerts.silence', verbose_name='maintenance window')),
                    ],
                    options={
                        'verbose_name': 'warning event',
                        'verbose_name_plural': 'warning events',
                        'db_table': 'monitoring_alertevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='alert',
                    index=models.Index(fields=['enterprise', 'state'], name='alert_enterprise_state_idx'),
                ),
                migrations.AddConstraint(
                    model_name='alert',
                    constraint=models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('pollutant', 0), models.F('outlet'), models.F('rule'), condition=models.Q(('state__in', ['opened', 'notified', 'acknowledged'])), name='one_open_alert_per_problem'),
                ),
                migrations.AddIndex(
                    model_name='silence',
                    index=models.Index(fields=['outlet', 'ends_at'], name='silence_outlet_end_idx'),
                ),
                migrations.AddConstraint(
                    model_name='silence',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='silence_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='alertevent',
                    constraint=models.CheckConstraint(condition=models.Q(('alert__isnull', False), ('silence__isnull', False), _connector='OR'), name='alert_event_has_subject'),
                ),
            ],
        ),
    ]
