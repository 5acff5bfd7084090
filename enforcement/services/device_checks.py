"""Third-party inspection records of automatic monitoring equipment. The operating company's calibration,
comparison test and fault records are filed by the enterprise's account (the operator works for it) or by
enforcement staff; a fault is resolved later. They decide the device's invalid periods, which monitoring
keeps and honours (``monitoring.services.validity``: no valid hours, no value a limit is judged on),
stated again in the transaction of every record and resolution, and the eco-code's ``device_checks``
indicators. A batch of records (``device_checks_record``: a quarter's records filed together) states each
device's periods once."""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises import jurisdiction
from enterprises.models import Role
from monitoring.models import Device
from monitoring.services.validity import Period, invalid_periods_set, invalid_periods_set_many

from ..models import DeviceCheck
from ..models.device_checks import DEVICE_CHECK_SOURCE
from .cases import may_handle_cases

Kind = DeviceCheck.Kind


def _may_file(user, enterprise) -> bool:
    own = user.is_authenticated and user.role == Role.ENTERPRISE and user.enterprise_id == enterprise.pk
    return own or (may_handle_cases(user) and jurisdiction.can_access_enterprise(user, enterprise))


def _checked(user, device, kind: str, operator: str, performed_at: dt.datetime, passed: bool, findings: str,
             now: dt.datetime) -> DeviceCheck:
    """The record to store, once it may be filed and is complete (not saved)."""
    enterprise = device.outlet.enterprise if device.outlet_id else None
    if enterprise is None:
        raise WorkflowError(_("Only the devices of an enterprise's outlets have operator records here."))
    if not _may_file(user, enterprise):
        raise NotAllowed(_("Only the enterprise and enforcement staff file the operator's records."))
    if kind not in Kind.values:
        raise WorkflowError(_("Unknown kind of record."))
    if not operator.strip():
        raise WorkflowError(_("Give the operating company."))
    if performed_at > now:
        raise WorkflowError(_("A record cannot be in the future."))
    passed = passed and kind != Kind.FAULT
    if not passed and not findings.strip():
        raise WorkflowError(_("Describe what failed."))
    return DeviceCheck(device=device, enterprise=enterprise, kind=kind, operator=operator.strip()[:100],
                       performed_at=performed_at, passed=passed, findings=findings.strip(), recorded_by=user,
                       recorded_at=now)


@transaction.atomic
def device_check_record(*, user, device, kind: str, operator: str, performed_at: dt.datetime, passed: bool = True,
                        findings: str = "") -> DeviceCheck:
    """One operator record of an outlet's monitoring device."""
    check = _checked(user, device, kind, operator, performed_at, passed, findings, clock.now())
    check.save()
    _state_periods(device)
    return check


@dataclass(frozen=True)
class CheckEntry:
    """One record of a batch, with the arguments of ``device_check_record``; ``resolved_at``: when a fault
    filed after its repair was repaired (as ``device_fault_resolve`` would record)."""

    device: Device
    kind: str
    operator: str
    performed_at: dt.datetime
    passed: bool = True
    findings: str = ""
    resolved_at: dt.datetime | None = None


@transaction.atomic
def device_checks_record(*, user, entries: list[CheckEntry]) -> list[DeviceCheck]:
    """Many operator records by ``user`` at once: the checks of ``device_check_record`` (and of
    ``device_fault_resolve`` for a fault given repaired), one insert, and each device's invalid periods
    stated once by all its records. Returns the records in the order given. All or nothing."""
    now = clock.now()
    devices = Device.objects.select_related("outlet__enterprise").in_bulk({e.device.pk for e in entries})
    checks = []
    for e in entries:
        check = _checked(user, devices[e.device.pk], e.kind, e.operator, e.performed_at, e.passed, e.findings, now)
        if e.resolved_at is not None:
            if check.kind != Kind.FAULT:
                raise WorkflowError(_("Only an open fault is resolved."))
            if not check.performed_at <= e.resolved_at <= now:
                raise WorkflowError(_("A fault is resolved after it began and not in the future."))
            check.resolved_at = e.resolved_at
        checks.append(check)
    DeviceCheck.objects.bulk_create(checks)
    records = defaultdict(list)
    for check in DeviceCheck.objects.filter(device__in=devices):
        records[check.device_id].append(check)
    invalid_periods_set_many(source=DEVICE_CHECK_SOURCE,
                             periods={device: invalid_periods_of(records[pk]) for pk, device in devices.items()})
    return checks


@transaction.atomic
def device_fault_resolve(*, check: DeviceCheck, user, resolved_at: dt.datetime) -> DeviceCheck:
    """The fault is repaired: the device's data are valid again from ``resolved_at``."""
    check = DeviceCheck.objects.select_for_update().select_related("enterprise").get(pk=check.pk)
    if not _may_file(user, check.enterprise):
        raise NotAllowed(_("Only the enterprise and enforcement staff file the operator's records."))
    if check.kind != Kind.FAULT or check.resolved_at is not None:
        raise WorkflowError(_("Only an open fault is resolved."))
    if not check.performed_at <= resolved_at <= clock.now():
        raise WorkflowError(_("A fault is resolved after it began and not in the future."))
    check.resolved_at = resolved_at
    check.save(update_fields=["resolved_at"])
    _state_periods(check.device)
    return check


def invalid_periods_of(checks) -> list[Period]:
    """The invalid periods a device's records make, oldest record first: from a failed calibration or
    comparison test to the next one passed (of either kind; later failures in between open nothing new), and
    from a fault to its resolution; None for a period still open."""
    periods, failed = [], None
    for c in sorted(checks, key=lambda c: (c.performed_at, c.pk)):
        if c.kind == Kind.FAULT:
            periods.append(Period(c.pk, c.kind, c.performed_at, c.resolved_at))
        elif not c.passed:
            failed = failed or c
        elif failed is not None:
            periods.append(Period(failed.pk, failed.kind, failed.performed_at, c.performed_at))
            failed = None
    if failed is not None:
        periods.append(Period(failed.pk, failed.kind, failed.performed_at, None))
    return [p for p in periods if p.ends_at is None or p.ends_at > p.starts_at]


def _state_periods(device) -> None:
    """Tell monitoring the device's invalid periods by all its records (a record filed late may change
    earlier ones): it counts the windows whose validity changed again."""
    invalid_periods_set(device=device, source=DEVICE_CHECK_SOURCE,
                        periods=invalid_periods_of(DeviceCheck.objects.filter(device=device)))
