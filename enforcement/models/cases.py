"""Cases (立案查处): from a case lead found by an inspection or a work order (案源) to the penalty decision
and its execution, with the legal basis from the discretion table and the deadlines of each step.

Steps and deadlines (《环境行政处罚办法》, 《行政处罚法》): a lead is filed (立案) within 15 days; the
decision is made within 90 days of filing; the party may ask for a hearing within 5 days of the notice;
the fine is paid within 15 days of the decision.
"""
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispatch.models import WorkOrder
from enterprises.models import Enterprise

FILE_WITHIN = dt.timedelta(days=15)
DECIDE_WITHIN = dt.timedelta(days=90)
HEARING_REQUEST_WITHIN = dt.timedelta(days=5)
PAY_WITHIN = dt.timedelta(days=15)


class Violation(models.TextChoices):
    """Kinds of violation; the eco-code's penalty indicators filter on them."""
    EXCESS_EMISSION = "excess_emission", _("emission over the limit")
    NO_PERMIT = "no_permit", _("discharging without or beyond the permit")
    MONITORING = "monitoring", _("self-monitoring not done or data falsified")
    FACILITY = "facility", _("treatment facility not run normally")
    SOLID_WASTE = "solid_waste", _("solid waste handled improperly")
    HAZARDOUS_WASTE = "hazardous_waste", _("hazardous waste handled improperly")
    RECORDS = "records", _("ledger or execution report violations")
    OTHER = "other", _("other")


class DiscretionArticle(models.Model):
    """One row of the county's discretion table: an article of law, its fine range and the base amount
    of a standard case (loaded from ``enforcement/data/discretion.csv``)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    law = models.CharField(_("law or regulation"), max_length=64)
    article = models.CharField(_("article"), max_length=32)
    violation = models.TextField(_("violation"))
    reason = models.CharField(_("kind of violation"), max_length=24, choices=Violation.choices)
    min_amount = models.DecimalField(_("lowest fine (yuan)"), max_digits=12, decimal_places=2)
    max_amount = models.DecimalField(_("highest fine (yuan)"), max_digits=12, decimal_places=2)
    base_amount = models.DecimalField(_("base amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("discretion table article")
        verbose_name_plural = _("discretion table")
        constraints = [models.CheckConstraint(
            condition=Q(min_amount__lte=models.F("base_amount"), base_amount__lte=models.F("max_amount")),
            name="discretion_base_within_range")]

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


class Case(models.Model):
    class State(models.TextChoices):
        LEAD = "lead", _("case lead")
        FILED = "filed", _("filed")
        HEARING = "hearing", _("hearing notice served")
        DECIDED = "decided", _("penalty decided")
        EXECUTED = "executed", _("executed")
        DROPPED = "dropped", _("not filed")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="cases", verbose_name=_("enterprise"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.LEAD, db_index=True)
    inspection = models.ForeignKey("enforcement.Inspection", models.PROTECT, null=True, blank=True,
                                   related_name="cases", verbose_name=_("source inspection"))
    work_order = models.ForeignKey(WorkOrder, models.PROTECT, null=True, blank=True, related_name="cases",
                                   verbose_name=_("source work order"))
    facts = models.TextField(_("facts found"))
    article = models.ForeignKey(DiscretionArticle, models.PROTECT, null=True, blank=True, related_name="cases",
                                verbose_name=_("legal basis"))
    reason = models.CharField(_("kind of violation"), max_length=24, choices=Violation.choices, blank=True)
    lead_at = models.DateTimeField(_("lead found at"), db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("lead recorded by"))
    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cases_handled", blank=True,
                                      verbose_name=_("case handlers"))
    file_due_on = models.DateField(_("to be filed by"))
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True, db_index=True)
    decision_due_on = models.DateField(_("decision due by"), null=True, blank=True)
    hearing_notified_on = models.DateField(_("hearing notice served on"), null=True, blank=True)
    hearing_request_due_on = models.DateField(_("hearing to be requested by"), null=True, blank=True)
    hearing_requested = models.BooleanField(_("hearing requested"), default=False)
    hearing_held_on = models.DateField(_("hearing held on"), null=True, blank=True)
    colour = models.CharField(_("eco-code colour at decision"), max_length=8, blank=True)
    discretion_factor = models.DecimalField(_("penalty discretion factor"), max_digits=4, decimal_places=2,
                                            null=True, blank=True)
    suggested_amount = models.DecimalField(_("suggested amount (yuan)"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, null=True, blank=True, unique=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0"))])
    measures = models.TextField(_("other measures"), blank=True)
    discretion_reason = models.TextField(_("why this amount"), blank=True)
    pay_due_on = models.DateField(_("to be paid by"), null=True, blank=True)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    amount_paid = models.DecimalField(_("amount paid (yuan)"), max_digits=12, decimal_places=2, null=True,
                                      blank=True)
    execution_note = models.TextField(_("execution"), blank=True)

    class Meta:
        ordering = ["-lead_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(name="case_has_one_source",
                                   condition=Q(inspection__isnull=False, work_order__isnull=True)
                                   | Q(inspection__isnull=True, work_order__isnull=False)),
            models.CheckConstraint(name="case_amount_not_negative", condition=Q(amount__gte=0) | Q(amount=None)),
            models.CheckConstraint(name="case_decision_complete",
                                   condition=Q(decided_on=None) | Q(amount__isnull=False, reason__gt="",
                                                                    article__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.decision_number or self.filing_number or f"#{self.pk}"

    @property
    def source_label(self) -> str:
        if self.inspection_id:
            return _("inspection of %(date)s") % {"date": f"{timezone.localtime(self.inspection.started_at):%Y-%m-%d}"}
        return _("work order #%(id)s") % {"id": self.work_order_id}


class CaseEvidence(models.Model):
    """A piece of evidence of a case: a document, photo, monitoring data extract or interview record."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="evidence", verbose_name=_("case"))
    description = models.CharField(_("description"), max_length=300)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/", blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.description
