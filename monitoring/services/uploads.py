"""Who may upload which readings through the bulk API, beyond "whose device is it".

Device data come from the device (over TCP, or over REST when the bureau forwards a vendor platform's
data). An enterprise account uploads only its **manual** monitoring results (kind ``manual``), only for
the outlets and pollutants where its permit has a manual monitoring duty, never for the future, and no
older than ``MONITORING_UPLOAD_MAX_AGE`` unless the bureau approved a backfill of that outlet and time
(``BackfillApproval``, audited). Manual results keep their own kind in the key, so a later device value
for the same outlet and time is always stored and used.
"""
import datetime as dt

from django.conf import settings

from enterprises.jurisdiction import is_bureau
from enterprises.models import MonitoringDuty
from monitoring.hj212 import ParsedReading, ProtocolError
from monitoring.models import BackfillApproval, DataKind, Device

DEFAULT_MAX_AGE = dt.timedelta(days=7)


def max_age() -> dt.timedelta:
    return getattr(settings, "MONITORING_UPLOAD_MAX_AGE", DEFAULT_MAX_AGE)


def _not_in_future(reading: ParsedReading, now: dt.datetime) -> None:
    if reading.observed_at > now:
        raise ProtocolError("bad_time", f"observed_at {reading.observed_at:%Y-%m-%d %H:%M} lies in the future")


def row_checker(user):
    """``check(device, pollutant_id, reading, now)`` for ``ingest_rows``: raises ``ProtocolError`` for a
    row this user may not upload. Duties and approvals are read once per request."""
    if is_bureau(user):
        def check_bureau(device: Device, pollutant_id: int, reading: ParsedReading, now: dt.datetime) -> None:
            if reading.kind == DataKind.MANUAL:
                _not_in_future(reading, now)
        return check_bureau

    duties = set(MonitoringDuty.objects.filter(
        permit__enterprise_id=user.enterprise_id, method=MonitoringDuty.Method.MANUAL)
        .values_list("outlet_id", "pollutant_id"))
    approvals = list(BackfillApproval.objects.filter(outlet__enterprise_id=user.enterprise_id)
                     .values_list("outlet_id", "starts_at", "ends_at"))
    oldest = max_age()

    def check_enterprise(device: Device, pollutant_id: int, reading: ParsedReading, now: dt.datetime) -> None:
        if reading.kind != DataKind.MANUAL:
            raise ProtocolError("forbidden", "an enterprise account uploads manual monitoring results only "
                                             "(kind manual); device data come from the device")
        outlet = device.outlet_id
        if (outlet, pollutant_id) not in duties and (None, pollutant_id) not in duties:
            raise ProtocolError("forbidden", f"the permit has no manual monitoring duty for {reading.code} "
                                             "at this outlet")
        _not_in_future(reading, now)
        if now - reading.observed_at > oldest and not any(
                o == outlet and start <= reading.observed_at < end for o, start, end in approvals):
            raise ProtocolError("bad_time", f"observed_at {reading.observed_at:%Y-%m-%d %H:%M} is older than "
                                            f"{oldest.days} days: the bureau must approve this backfill")
    return check_enterprise
