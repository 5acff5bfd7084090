"""What readings point to cannot be deleted: the checks that replace the reading table's foreign keys.

The reading table has no database foreign keys (on a partitioned table each costs a constraint, two
triggers per partition and a deferred check per stored row; ingestion already validates what it
stores). Deleting a device, outlet or station its readings name is refused here instead, with
``ProtectedError`` as ``on_delete=PROTECT`` would, and without touching the reading table: a device
that has stored readings says so in its own counter (``stored_readings``, kept by ingestion in the same
transaction), an outlet or station through its aggregates (every device reading feeds them). Connected
to ``pre_delete`` in ``MonitoringConfig.ready``, so queryset deletes and cascades are checked too.
"""
from django.db.models import ProtectedError

from ..models import Aggregate, Device


def device_delete_guard(sender, instance: Device, **kwargs) -> None:
    """Refuse to delete a device with stored readings (deactivate it instead)."""
    if Device.objects.filter(pk=instance.pk, stored_readings__gt=0).exists():
        raise ProtectedError(f"device {instance.mn} has stored readings; deactivate it instead", {instance})


def outlet_delete_guard(sender, instance, **kwargs) -> None:
    """Refuse to delete an outlet whose devices have sent readings."""
    if Aggregate.objects.filter(outlet_id=instance.pk).exists():
        raise ProtectedError(f"outlet {instance.pk} has readings", {instance})


def station_delete_guard(sender, instance, **kwargs) -> None:
    """Refuse to delete a station whose devices have sent readings."""
    if Aggregate.objects.filter(station_id=instance.pk).exists():
        raise ProtectedError(f"station {instance.pk} has readings", {instance})
