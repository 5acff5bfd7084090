"""Writes of device codes: staff map a code a device sends to a pollutant, and held values are re-counted.

``map_code`` records a ``CodeMapping``; from then on ingestion counts that device's code as the pollutant.
``recount_held`` turns the held values that a mapping (or the code table) now resolves into readings,
through the same ``store`` as live packets, so the aggregates, and the warnings built on them, count them.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises.jurisdiction import can_access_enterprise, is_county_wide
from enterprises.models import Pollutant, Role
from monitoring import hj212
from monitoring.hj212 import ParsedReading, ProtocolError
from monitoring.models import CodeMapping, Device, HeldValue
from monitoring.services import ingest

SUFFIX_FIELDS = hj212.VALUE_SUFFIXES


def may_map(user, device: Device) -> bool:
    """Staff with jurisdiction over the device's enterprise (county staff for stations) map its codes."""
    if not user.is_authenticated or user.role == Role.ENTERPRISE:
        return False
    if device.outlet_id is None:
        return is_county_wide(user)
    return can_access_enterprise(user, device.outlet.enterprise)


def map_code(*, device: Device, code: str, pollutant: Pollutant, user) -> CodeMapping:
    """Map a code as ``device`` sends it to ``pollutant``; counts from now on (``recount_held`` for the past)."""
    if not may_map(user, device):
        raise PermissionDenied(_("You may not map the codes of this device."))
    code = (code or "").strip()
    if not code:
        raise ValidationError(_("Which code is to be mapped?"))
    mapping, _created = CodeMapping.objects.update_or_create(
        device=device, code=code, defaults={"pollutant": pollutant, "created_by": user, "created_at": clock.now()})
    return mapping


def _reading_from(held: HeldValue) -> ParsedReading | None:
    """The reading a held value makes once its code is known; None when a value cannot be read."""
    fields: dict = {}
    try:
        for suffix, text in held.values.items():
            if suffix in SUFFIX_FIELDS:
                fields[SUFFIX_FIELDS[suffix]] = hj212.parse_number(text, suffix)
    except ProtocolError:
        return None
    flag = str(held.values.get("Flag", "N")).upper()
    if flag not in hj212.DATA_FLAGS or not fields:
        return None
    return ParsedReading(code=held.code, kind=held.kind, observed_at=held.observed_at, flag=flag, **fields)


def recount_held(*, devices=None, now: dt.datetime | None = None) -> dict:
    """Count as readings the held values of unknown codes that now resolve (a mapping or the code table).
    ``devices`` limits it to some devices. Returns what was counted, stored (new) and left held."""
    now = now or clock.now()
    held = HeldValue.objects.filter(problem=HeldValue.Problem.UNKNOWN_CODE, counted_at__isnull=True,
                                    observed_at__isnull=False).select_related("device__outlet", "device__station")
    if devices is not None:
        held = held.filter(device__in=devices)
    rows = list(held.order_by("device_id", "observed_at"))
    mappings = ingest.mappings_for({h.device for h in rows})
    units: dict[int, ingest.Unit] = {}
    counted = []
    for row in rows:
        pollutant_id = ingest.pollutant_for(row.device, row.code, mappings)
        reading = _reading_from(row) if pollutant_id is not None else None
        if reading is None or hj212.range_problem(reading, ingest.codebook().bounds.get(pollutant_id)):
            continue  # still unreadable, or beyond its pollutant's data type: stays held
        units.setdefault(row.device_id, ingest.Unit(row.device, [])).readings.append((pollutant_id, reading))
        counted.append(row.pk)
    with transaction.atomic():
        result = ingest.store(list(units.values()), [], now=now) if units else ingest.StoreResult()
        HeldValue.objects.filter(pk__in=counted).update(counted_at=now)
    return {"counted": len(counted), "stored": result.stored, "left": len(rows) - len(counted)}
