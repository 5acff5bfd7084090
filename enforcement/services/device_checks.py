"""Third-party inspection records of automatic monitoring equipment. The operating company's calibration,
comparison test and fault records are filed by the enterprise's account (the operator works for it) or by
enforcement staff; a fault is resolved later. They decide the device's validity periods
(``selectors.device_invalid_periods``) and the eco-code's ``device_checks`` indicators."""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises import jurisdiction
from enterprises.models import Role

from ..models import DeviceCheck
from .cases import may_handle_cases

Kind = DeviceCheck.Kind


def _may_file(user, enterprise) -> bool:
    own = user.is_authenticated and user.role == Role.ENTERPRISE and user.enterprise_id == enterprise.pk
    return own or (may_handle_cases(user) and jurisdiction.can_access_enterprise(user, enterprise))


@transaction.atomic
def device_check_record(*, user, device, kind: str, operator: str, performed_at: dt.datetime, passed: bool = True,
                        findings: str = "") -> DeviceCheck:
    """One operator record of an outlet's monitoring device."""
    enterprise = device.outlet.enterprise if device.outlet_id else None
    if enterprise is None:
        raise WorkflowError(_("Only the devices of an enterprise's outlets have operator records here."))
    if not _may_file(user, enterprise):
        raise NotAllowed(_("Only the enterprise and enforcement staff file the operator's records."))
    if kind not in Kind.values:
        raise WorkflowError(_("Unknown kind of record."))
    if not operator.strip():
        raise WorkflowError(_("Give the operating company."))
    if performed_at > clock.now():
        raise WorkflowError(_("A record cannot be in the future."))
    passed = passed and kind != Kind.FAULT
    if not passed and not findings.strip():
        raise WorkflowError(_("Describe what failed."))
    return DeviceCheck.objects.create(device=device, enterprise=enterprise, kind=kind, operator=operator.strip()[:100],
                                      performed_at=performed_at, passed=passed, findings=findings.strip(),
                                      recorded_by=user, recorded_at=clock.now())


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
    return check
