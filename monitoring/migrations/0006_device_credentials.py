"""Every device its own generated password; the lock-out reason."""
import secrets
import string

import monitoring.models.readings
from django.db import migrations, models


def give_every_device_its_own_password(apps, schema_editor):
    """No blank passwords (they accepted any PW) and no shared default: each device gets its own."""
    alphabet = string.ascii_letters + string.digits
    Device = apps.get_model("monitoring", "Device")
    for pk in Device.objects.filter(password__in=["", "123456"]).values_list("pk", flat=True).iterator():
        Device.objects.filter(pk=pk).update(password="".join(secrets.choice(alphabet) for _ in range(12)))


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0005_rejection_summaries'),
    ]

    operations = [
        migrations.RunPython(give_every_device_its_own_password, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='device',
            name='password',
            field=models.CharField(default=monitoring.models.readings.device_password, help_text='Generated for each device; packets with another PW are refused.', max_length=32, verbose_name='access password (PW)'),
        ),
        migrations.AlterField(
            model_name='ingestrejection',
            name='reason',
            field=models.CharField(choices=[('garbage', 'not an HJ 212 frame'), ('bad_length', 'bad length field'), ('truncated', 'truncated frame'), ('too_long', 'frame too long'), ('bad_crc', 'bad CRC'), ('bad_field', 'bad or missing field'), ('bad_number', 'bad number'), ('bad_time', 'bad or implausible time'), ('unknown_mn', 'unknown device (MN)'), ('inactive', 'device deactivated'), ('wrong_pw', 'wrong password'), ('locked_out', 'locked out after repeated failures'), ('unknown_pollutant', 'unknown pollutant code'), ('unsupported', 'unsupported command'), ('forbidden', 'not allowed for this account')], db_index=True, max_length=20, verbose_name='reason'),
        ),
    ]
