"""A renewed permit's new outlets take over the data loggers of the earlier version's outlets (same
outlet code), so readings from then on are checked against the limits in force; the readings already
stored stay with the earlier outlet. Receives ``enterprises.signals.outlets_renewed``; the moves are
announced with ``rows_written`` for the audit log."""
from enterprises.signals import RowChange, rows_written

from ..models import Device


def devices_follow_renewed_outlets(sender, *, moves: dict[int, int], source: str, **kwargs) -> int:
    """Move the devices of each outlet in ``moves`` to its new outlet (one bulk update). Returns how many."""
    devices = list(Device.objects.filter(outlet_id__in=list(moves)).only("id", "mn", "outlet_id"))
    if not devices:
        return 0
    changes = [RowChange(Device._meta.label, "update", str(d.pk), d.mn, {"outlet": [d.outlet_id, moves[d.outlet_id]]})
               for d in devices]
    for d in devices:
        d.outlet_id = moves[d.outlet_id]
    Device.objects.bulk_update(devices, ["outlet_id"])
    rows_written.send(sender=Device, changes=changes, source=source)
    return len(devices)
