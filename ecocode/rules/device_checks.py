"""Family over the third-party operators' records of automatic monitoring equipment
(``enforcement.DeviceCheck``, read by name: ecocode does not import enforcement): failed calibrations or
comparison tests, and faults left unrepaired. The records a deduction rests on are the devices
concerned (record type ``device``), one per device. Their episode is the outlet's invalid data
(``validity:<outlet>``, as the flag-based validity indicators key it): a failed test or an unrepaired fault
makes the device's data invalid, so the catalogue charges one outlet's invalid data once, to the operator's
record that names it most precisely.
"""
import datetime as dt

from django.apps import apps
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_noop as N_

from .base import Family, key_part

device_checks = Family("device_checks", lambda ctx, days: apps.get_model("enforcement.DeviceCheck").objects.all(),
                       "enterprise_id", requires=("enforcement.DeviceCheck",), record_type="device",
                       record_id="device_id", record_at="performed_at")
# The outlet's invalid data (a device not assigned to an outlet: the device itself).
DEVICE = Case(When(device__outlet_id__isnull=False, then=Concat(Value("validity:"), key_part("device__outlet_id"))),
              default=Concat(Value("device_check:"), key_part("device_id")), output_field=CharField())


def _in_window(p, ctx) -> Q:
    return Q(performed_at__gte=ctx.since(p["window_days"]), performed_at__lte=ctx.as_of)


@device_checks.rule("failed", {"kinds": (list, ["comparison", "calibration"]), "window_days": (int, 365)},
                    N_("%(n)s monitoring device(s) failed a comparison test or calibration by the operator in the "
                    "last %(window_days)s days"))
def _failed(p, ctx):
    return device_checks.counted(_in_window(p, ctx) & Q(kind__in=p["kinds"], passed=False), ep=DEVICE)


@device_checks.rule("unresolved", {"days": (int, 7), "window_days": (int, 365)},
                    N_("%(n)s monitoring device fault(s) not repaired within %(days)s days (last %(window_days)s "
                    "days)"))
def _unresolved(p, ctx):
    late = dt.timedelta(days=p["days"])
    still_open = Q(performed_at__lt=ctx.as_of - late) & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=ctx.as_of))
    repaired_late = Q(resolved_at__lte=ctx.as_of, resolved_at__gt=F("performed_at") + late)
    return device_checks.counted(_in_window(p, ctx) & Q(kind="fault") & (still_open | repaired_late), ep=DEVICE)
