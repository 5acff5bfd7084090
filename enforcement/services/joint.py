"""Joint inspections (联合检查). Enforcement staff invite a township's comprehensive enforcement team or a
neighbouring county's bureau; the invited township officers are told in their inbox. Each party writes and
signs its own part: the bureau's part by an enforcement officer, a township team's part by an officer of
that township, a neighbouring county's part (its officers have no account here) by an enforcement officer
recording the name of the person who signed the paper record. A signed part no longer changes."""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises import jurisdiction
from enterprises.models import Role, User
from notifications.services import Message, notify_many

from ..models import JointInspection, JointPart
from .cases import may_handle_cases

Party = JointPart.Party


def may_act_for(user, part: JointPart) -> bool:
    """Whether ``user`` writes and signs ``part``."""
    if part.party == Party.TOWNSHIP:
        return user.is_authenticated and user.role == Role.TOWNSHIP and user.township_id == part.township_id
    return may_handle_cases(user)


@transaction.atomic
def joint_inspection_invite(*, user, enterprise, planned_on: dt.date, purpose: str, townships=(),
                            counties=()) -> JointInspection:
    """A joint inspection of ``enterprise`` with the bureau's part and one part per invited township team
    and neighbouring county (at least one of them)."""
    if not may_handle_cases(user) or not jurisdiction.can_access_enterprise(user, enterprise):
        raise NotAllowed(_("Only enforcement officers and bureau staff invite to a joint inspection."))
    counties = sorted({c.strip() for c in counties if c.strip()})
    townships = sorted(set(townships), key=lambda t: t.pk)
    if not purpose.strip():
        raise WorkflowError(_("Say what the joint inspection is for."))
    if not townships and not counties:
        raise WorkflowError(_("Invite a township enforcement team or a neighbouring county."))
    if any(len(c) > 100 for c in counties):
        raise WorkflowError(_("An agency's name has at most 100 characters."))
    joint = JointInspection.objects.create(enterprise=enterprise, planned_on=planned_on, purpose=purpose.strip(),
                                           invited_by=user, invited_at=clock.now())
    JointPart.objects.bulk_create([JointPart(joint=joint, party=Party.BUREAU),
                                   *(JointPart(joint=joint, party=Party.TOWNSHIP, township=t) for t in townships),
                                   *(JointPart(joint=joint, party=Party.COUNTY, agency=c) for c in counties)])
    invited = User.objects.filter(role=Role.TOWNSHIP, is_active=True, township__in=townships)
    notify_many(Message(kind="joint_inspection", user=u, subject=_("Invitation to a joint inspection"),
                        body=_("%(enterprise)s on %(day)s: %(purpose)s") % {
                            "enterprise": enterprise.name, "day": planned_on.isoformat(), "purpose": joint.purpose},
                        url=f"/enforcement/joint/{joint.pk}/", source=f"joint:{joint.pk}",
                        dedup_key=f"joint:{joint.pk}:{u.pk}") for u in invited)
    return joint


def _editable(part: JointPart, user) -> JointPart:
    part = JointPart.objects.select_for_update().get(pk=part.pk)
    if not may_act_for(user, part):
        raise NotAllowed(_("Only the party itself writes and signs its part."))
    if part.signed_at is not None:
        raise WorkflowError(_("This part is signed and no longer changes."))
    return part


@transaction.atomic
def joint_part_record(*, part: JointPart, user, findings: str, problems_found: int = 0) -> JointPart:
    """The party's findings (its part of the joint record)."""
    part = _editable(part, user)
    if problems_found < 0 or (problems_found and not findings.strip()):
        raise WorkflowError(_("Describe the problems found."))
    part.findings, part.problems_found = findings.strip(), problems_found
    part.save(update_fields=["findings", "problems_found"])
    return part


@transaction.atomic
def joint_part_sign(*, part: JointPart, user, signer_name: str = "") -> JointPart:
    """Sign the party's part: by the officer himself, or, for a neighbouring county, by an enforcement
    officer recording the name of its signer."""
    part = _editable(part, user)
    name = signer_name.strip() if part.party == Party.COUNTY else (user.get_full_name() or user.username)
    if not name:
        raise WorkflowError(_("Give the name of the person who signed for the neighbouring county."))
    if not part.findings:
        raise WorkflowError(_("Record the findings before signing."))
    part.signed_by, part.signer_name, part.signed_at = user, name[:64], clock.now()
    part.save(update_fields=["signed_by", "signer_name", "signed_at"])
    return part
