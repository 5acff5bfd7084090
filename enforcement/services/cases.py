"""Writes of cases: a lead from an inspection or a work order, filing with its legal basis, the hearing
notice, the penalty decision (the officer decides the amount beside the suggested discretion and says
why) and its execution. Only enforcement officers and bureau staff act on cases."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from enterprises import jurisdiction
from enterprises.models import Role
from enterprises.signals import created_changes, rows_written

from ..models import Case, CaseEvidence, DiscretionArticle
from ..models.cases import DECIDE_WITHIN, FILE_WITHIN, HEARING_REQUEST_WITHIN, PAY_WITHIN
from ..selectors import suggested_discretion


def may_handle_cases(user) -> bool:
    return jurisdiction.is_bureau(user) or (user.is_authenticated and user.is_active
                                            and user.role == Role.ENFORCEMENT)


def _require(user):
    if not may_handle_cases(user):
        raise NotAllowed(_("Only enforcement officers and bureau staff handle cases."))


def _locked(case: Case, *states) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state not in states:
        raise WorkflowError(_("This step is not possible while the case is %(state)s.")
                            % {"state": case.get_state_display()})
    return case


def case_open_lead(*, user, facts: str, inspection=None, work_order=None) -> Case:
    """A case lead (案源) from one inspection or one work order; to be filed within 15 days."""
    _require(user)
    if (inspection is None) == (work_order is None):
        raise WorkflowError(_("A case lead comes from one inspection or one work order."))
    enterprise = inspection.enterprise if inspection is not None else work_order.enterprise
    if enterprise is None:
        raise WorkflowError(_("This work order names no enterprise."))
    if not facts.strip():
        raise WorkflowError(_("Describe the facts of the lead."))
    now = clock.now()
    return Case.objects.create(enterprise=enterprise, inspection=inspection, work_order=work_order,
                               facts=facts.strip(), lead_at=now, opened_by=user,
                               file_due_on=(now + FILE_WITHIN).date())


@dataclass(frozen=True)
class Lead:
    """A case lead of a batch (``cases_open_leads``): found by ``user`` in ``inspection`` at ``at``."""

    user: object
    inspection: object
    facts: str
    at: dt.datetime


def cases_open_leads(*, leads: list[Lead]) -> list[Case]:
    """``case_open_lead`` for the leads of a batch of inspections: one insert, with their audit entries."""
    for lead in leads:
        _require(lead.user)
        if not lead.facts.strip():
            raise WorkflowError(_("Describe the facts of the lead."))
    with transaction.atomic():
        cases = Case.objects.bulk_create(
            Case(enterprise_id=lead.inspection.enterprise_id, inspection=lead.inspection, facts=lead.facts.strip(),
                 lead_at=lead.at, opened_by=lead.user, file_due_on=(lead.at + FILE_WITHIN).date()) for lead in leads)
        rows_written.send(sender=Case, changes=created_changes(cases), source="enforcement.cases_open_leads")
    return cases


@transaction.atomic
def case_file(*, case: Case, user, filing_number: str, article: DiscretionArticle, filed_on: dt.date,
              handlers=()) -> Case:
    """File the case (立案) under an article of the discretion table; the decision is due in 90 days."""
    _require(user)
    case = _locked(case, Case.State.LEAD)
    if not filing_number.strip():
        raise WorkflowError(_("Give the filing number."))
    case.state, case.filing_number, case.filed_on = Case.State.FILED, filing_number.strip(), filed_on
    case.article, case.reason = article, article.reason
    case.decision_due_on = filed_on + DECIDE_WITHIN
    case.save()
    case.handlers.set({user.pk, *(h.pk for h in handlers)})
    return case


@transaction.atomic
def case_drop(*, case: Case, user, reason: str) -> Case:
    """A lead that is not filed, with the reason."""
    _require(user)
    case = _locked(case, Case.State.LEAD)
    if not reason.strip():
        raise WorkflowError(_("Say why the lead is not filed."))
    case.state, case.execution_note = Case.State.DROPPED, reason.strip()
    case.save(update_fields=["state", "execution_note"])
    return case


@transaction.atomic
def case_notify_hearing(*, case: Case, user, notified_on: dt.date) -> Case:
    """The notice of the intended penalty and of the right to a hearing; a request is due in 5 days."""
    _require(user)
    case = _locked(case, Case.State.FILED)
    case.state, case.hearing_notified_on = Case.State.HEARING, notified_on
    case.hearing_request_due_on = notified_on + HEARING_REQUEST_WITHIN
    case.save()
    return case


@transaction.atomic
def case_record_hearing(*, case: Case, user, held_on: dt.date) -> Case:
    _require(user)
    case = _locked(case, Case.State.HEARING)
    case.hearing_requested, case.hearing_held_on = True, held_on
    case.save(update_fields=["hearing_requested", "hearing_held_on"])
    return case


@transaction.atomic
def case_decide(*, case: Case, user, decision_number: str, decided_on: dt.date, amount: Decimal,
                measures: str = "", discretion_reason: str = "") -> Case:
    """The penalty decision. The suggestion (colour factor × base amount) is stored beside the amount
    decided; an amount that differs from it needs the officer's reason; the amount stays in the
    article's range."""
    _require(user)
    case = _locked(case, Case.State.FILED, Case.State.HEARING)
    if not decision_number.strip():
        raise WorkflowError(_("Give the decision number."))
    if case.state == Case.State.HEARING and not case.hearing_requested and decided_on <= case.hearing_request_due_on:
        raise WorkflowError(_("The party may still ask for a hearing until %(date)s.")
                            % {"date": f"{case.hearing_request_due_on:%Y-%m-%d}"})
    amount = Decimal(amount)
    article = case.article
    if not article.min_amount <= amount <= article.max_amount:
        raise WorkflowError(_("%(article)s allows %(low)s to %(high)s yuan.")
                            % {"article": str(article), "low": article.min_amount, "high": article.max_amount})
    suggestion = suggested_discretion(case.enterprise, article)
    if amount != suggestion["amount"] and not discretion_reason.strip():
        raise WorkflowError(_("The amount differs from the suggested %(amount)s yuan: say why.")
                            % {"amount": suggestion["amount"]})
    case.state, case.decision_number, case.decided_on = Case.State.DECIDED, decision_number.strip(), decided_on
    case.amount, case.measures, case.discretion_reason = amount, measures.strip(), discretion_reason.strip()
    case.colour, case.discretion_factor = suggestion["colour"], suggestion["factor"]
    case.suggested_amount, case.pay_due_on = suggestion["amount"], decided_on + PAY_WITHIN
    case.save()
    return case


@transaction.atomic
def case_execute(*, case: Case, user, executed_on: dt.date, amount_paid: Decimal, note: str = "") -> Case:
    _require(user)
    case = _locked(case, Case.State.DECIDED)
    case.state, case.executed_on, case.amount_paid = Case.State.EXECUTED, executed_on, Decimal(amount_paid)
    case.execution_note = note.strip()
    case.save(update_fields=["state", "executed_on", "amount_paid", "execution_note"])
    return case


def case_evidence_add(*, case: Case, user, description: str, upload=None) -> CaseEvidence:
    _require(user)
    if not description.strip():
        raise WorkflowError(_("Describe the evidence."))
    return CaseEvidence.objects.create(case=case, description=description.strip()[:300], file=upload or "",
                                       added_by=user, added_at=clock.now())
