"""What makes a reading valid data, in one place: flag N, a value, and no invalid period of its device
(``InvalidPeriod``: a failed calibration or comparison test, a fault) at its time. The instrument's own state
codes (medium ``device``: i12001 …) are the instrument speaking of itself, not measurements, and stay valid:
the warnings read the states a faulty analyser reports.

Ingestion counts a window's valid readings by ``valid_sql`` as it stores them; ``services.validity``
counts a device's windows again by the same expression when a period is recorded late or closed; the API's
readings carry ``in_invalid_period``. Everything downstream (limit warnings, exceedances, flat lines,
completeness, the eco-code, the reports) reads the aggregates' valid counts and averages and so follows."""
import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from enterprises.models import Pollutant

from .models import InvalidPeriod

_VOID_SQL = """EXISTS (SELECT 1 FROM monitoring_invalidperiod ip
        WHERE ip.device_id = {r}.device_id AND ip.starts_at <= {r}.observed_at
          AND (ip.ends_at IS NULL OR ip.ends_at > {r}.observed_at)
          AND {r}.pollutant_id NOT IN (SELECT id FROM enterprises_pollutant WHERE medium = 'device'))"""


def valid_sql(alias: str) -> str:
    """The SQL condition that the reading row ``alias`` (with device_id, pollutant_id, observed_at, flag,
    value) is valid data."""
    return f"({alias}.flag = 'N' AND {alias}.value IS NOT NULL AND NOT {_VOID_SQL.format(r=alias)})"


def in_invalid_period() -> Exists:
    """For a queryset of readings: is the reading made invalid by a period of its device (``valid_sql``)?"""
    return Exists(InvalidPeriod.objects.filter(device=OuterRef("device"), starts_at__lte=OuterRef("observed_at"))
                  .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=OuterRef("observed_at")))
                  .exclude(Exists(Pollutant.objects.filter(pk=OuterRef(OuterRef("pollutant")), medium="device"))))


def void_checker(device_ids: Iterable[int], since: dt.datetime, until: dt.datetime):
    """``(device id, pollutant id, moment) -> bool``: invalid by a period, for the embedded (SQLite) paths
    that count in Python; one query for the devices and times given."""
    periods: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for device_id, start, end in InvalidPeriod.objects.filter(device_id__in=set(device_ids), starts_at__lte=until) \
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=since)).values_list("device_id", "starts_at", "ends_at"):
        periods.setdefault(device_id, []).append((start, end))
    if not periods:
        return lambda device_id, pollutant_id, moment: False
    own = set(Pollutant.objects.filter(medium="device").values_list("pk", flat=True))
    return lambda device_id, pollutant_id, moment: pollutant_id not in own and any(
        start <= moment and (end is None or moment < end) for start, end in periods.get(device_id, ()))
