"""Inspections. On-site: the permit-derived checklist is filled as a ``dispatch.Round`` of kind
inspection (a failed line opens a work order there), by at least two enforcement officers, with times,
GPS and findings; the enterprise confirms the on-site record (现场检查笔录). Off-site: one officer
records what online data, reports, video or self-checks showed; problems found open a work order. A
case lead found by either opens a case lead."""
import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dispatch.models import LineResult, Round, WorkOrder
from dispatch.services import checklist_build, round_submit, work_order_open
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises import jurisdiction
from enterprises.models import Permit, Role

from ..models import Case, Inspection, Mode
from .cases import case_open_lead, may_handle_cases


def _check(user, enterprise, started_at, ended_at, planned):
    if not may_handle_cases(user) or not jurisdiction.can_access_enterprise(user, enterprise):
        raise NotAllowed(_("Only enforcement officers and bureau staff record inspections."))
    if ended_at < started_at:
        raise WorkflowError(_("The inspection cannot end before it starts."))
    if planned is not None and (planned.enterprise_id != enterprise.pk or hasattr(planned, "inspection")):
        raise WorkflowError(_("This planned inspection belongs to another enterprise or is already done."))


def _lead(inspection: Inspection, user, facts: str) -> Case | None:
    return case_open_lead(user=user, inspection=inspection, facts=facts) if inspection.case_lead else None


@transaction.atomic
def inspection_record_on_site(*, user, enterprise, officers, answers: list[dict], client_uuid,
                              started_at: dt.datetime, ended_at: dt.datetime, latitude: float | None = None,
                              longitude: float | None = None, findings: str = "", case_lead: bool = False,
                              planned=None) -> Inspection:
    """An on-site inspection against the enterprise's current checklist (two officers or more)."""
    _check(user, enterprise, started_at, ended_at, planned)
    team = {user.pk, *(o.pk for o in officers)}
    roles = {o.role for o in officers if o.pk != user.pk}
    if len(team) < 2 or roles - {Role.ENFORCEMENT, Role.BUREAU}:
        raise WorkflowError(_("An on-site inspection needs at least two enforcement officers."))
    if (latitude is None) != (longitude is None) or (latitude is not None and not (
            -90 <= latitude <= 90 and -180 <= longitude <= 180)):
        raise WorkflowError(_("Give both GPS coordinates, as degrees."))
    permit = enterprise.permits.filter(status=Permit.Status.VALID).order_by("-valid_from").first()
    if permit is None:
        raise WorkflowError(_("The enterprise has no valid permit to check against."))
    rnd, _created = round_submit(kind="inspection", checklist=checklist_build(permit=permit), user=user,
                                 answers=answers, client_uuid=client_uuid, officers=officers, note=findings,
                                 case_lead=case_lead, latitude=latitude, longitude=longitude)
    if hasattr(rnd, "inspection"):
        return rnd.inspection  # a retried submission
    failed = rnd.results.filter(result=LineResult.Result.FAIL).count()
    inspection = Inspection.objects.create(
        enterprise=enterprise, mode=Mode.ON_SITE, planned=planned, round=rnd, recorded_by=user,
        started_at=started_at, ended_at=ended_at, latitude=latitude, longitude=longitude, findings=findings.strip(),
        problems_found=failed, case_lead=case_lead)
    inspection.officers.set(team)
    _lead(inspection, user, findings or _("Case lead from the on-site inspection."))
    return inspection


@transaction.atomic
def inspection_record_off_site(*, user, enterprise, basis: list[str], findings: str, problems_found: int,
                               started_at: dt.datetime, ended_at: dt.datetime, case_lead: bool = False,
                               planned=None) -> Inspection:
    """An off-site inspection; problems found open one work order with the findings."""
    _check(user, enterprise, started_at, ended_at, planned)
    unknown = set(basis) - set(Inspection.Basis.values)
    if not basis or unknown:
        raise WorkflowError(_("Say what the off-site inspection looked at."))
    if problems_found < 0 or (problems_found and not findings.strip()):
        raise WorkflowError(_("Describe the problems found."))
    inspection = Inspection.objects.create(
        enterprise=enterprise, mode=Mode.OFF_SITE, planned=planned, recorded_by=user, started_at=started_at,
        ended_at=ended_at, basis=sorted(set(basis)), findings=findings.strip(), problems_found=problems_found,
        case_lead=case_lead)
    inspection.officers.set([user])
    if problems_found:
        work_order_open(source=WorkOrder.Source.INSPECTION, enterprise=enterprise, opened_by=user,
                        title=_("Off-site inspection: %(n)d problem(s)") % {"n": problems_found},
                        description=findings.strip(), source_ref=f"inspection:{inspection.pk}",
                        evidence={"inspection": inspection.pk})
    _lead(inspection, user, findings)
    return inspection


@transaction.atomic
def inspection_confirm(*, inspection: Inspection, user, confirmed_by: str, at: dt.datetime) -> Inspection:
    """The enterprise's confirmation of the on-site record: its own account, or the officer recording the
    name of the person who signed the paper record."""
    if inspection.mode != Mode.ON_SITE:
        raise WorkflowError(_("Only an on-site record is confirmed by the enterprise."))
    own = user.role == Role.ENTERPRISE and user.enterprise_id == inspection.enterprise_id
    if not (own or may_handle_cases(user)):
        raise NotAllowed(_("You may not confirm this on-site record."))
    if not confirmed_by.strip():
        raise WorkflowError(_("Give the name of the person confirming for the enterprise."))
    inspection.confirmed_by, inspection.confirmed_at = confirmed_by.strip()[:64], at
    inspection.save(update_fields=["confirmed_by", "confirmed_at"])
    return inspection


def inspections_adopt_rounds() -> int:
    """Inspection rounds filed elsewhere (the mobile form of ``/m/``, the API) become on-site inspections
    with their officers and failed lines, so they count in the statistics and the strips. Set-based; runs
    with the targeted inspections every 5 minutes. Returns how many were adopted."""
    rounds = list(Round.objects.filter(kind=Round.Kind.INSPECTION, inspection__isnull=True)
                  .annotate(failed=Count("results", filter=Q(results__result=LineResult.Result.FAIL)))
                  .values_list("pk", "enterprise_id", "performed_by_id", "submitted_at", "note", "case_lead", "failed"))
    if not rounds:
        return 0
    with transaction.atomic():
        created = Inspection.objects.bulk_create(
            Inspection(enterprise_id=ent, mode=Mode.ON_SITE, round_id=pk, recorded_by_id=by, started_at=at,
                       ended_at=at, findings=note, case_lead=lead, problems_found=failed)
            for pk, ent, by, at, note, lead, failed in rounds)
        by_round = {i.round_id: i.pk for i in created}
        officers = Round.officers.through.objects.filter(round_id__in=by_round).values_list("round_id", "user_id")
        present = {(r, u) for r, u in officers} | {(pk, by) for pk, _e, by, *_rest in rounds}
        Inspection.officers.through.objects.bulk_create(
            Inspection.officers.through(inspection_id=by_round[r], user_id=u) for r, u in sorted(present))
    return len(created)
