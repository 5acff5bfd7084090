"""Checklists built from a permit (清单式执法), patrol rounds that fill them, and self-check notices.

A ``Checklist`` is a frozen, versioned list of lines built from one permit (``dispatch.services.checklists``
builds it); a ``Round`` is one filling of it by an enterprise (self-check), a township patrol or an
enforcement inspection, with one ``LineResult`` per line. A failed line opens a work order.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Permit, PermitItem, Township

from .orders import WorkOrder


class Checklist(models.Model):
    permit = models.ForeignKey(Permit, models.CASCADE, related_name="checklists", verbose_name=_("permit"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="checklists",
                                   verbose_name=_("enterprise"))
    revision = models.PositiveIntegerField(_("revision"), help_text=_("Counts up when the permit's content changes."))
    schema_version = models.PositiveSmallIntegerField(_("checklist schema version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        ordering = ["permit", "-revision"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [models.UniqueConstraint(fields=["permit", "revision"], name="checklist_revision_unique")]

    def __str__(self) -> str:
        return f"{self.permit.number} r{self.revision}"


class ChecklistLine(models.Model):
    # A line checks an outlet, one of its limits, or any permit item (whose categories it shares).
    OUTLET, LIMIT = "outlet", "limit"
    CATEGORIES = [(OUTLET, _("discharge outlet")), (LIMIT, _("emission limit")), *PermitItem.Category.choices]

    checklist = models.ForeignKey(Checklist, models.CASCADE, related_name="lines", verbose_name=_("checklist"))
    seq = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=24, choices=CATEGORIES)
    ref = models.CharField(_("permit reference"), max_length=64, help_text=_("e.g. limit:12 or item:4"))
    title = models.CharField(_("title"), max_length=300)
    requirement = models.TextField(_("what to check"), blank=True)

    class Meta:
        ordering = ["checklist", "seq"]
        verbose_name = _("checklist line")
        verbose_name_plural = _("checklist lines")
        constraints = [models.UniqueConstraint(fields=["checklist", "seq"], name="checklist_line_seq_unique")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"


class SelfCheckNotice(models.Model):
    """The bureau asks an enterprise to self-check against its checklist by a deadline."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="self_check_notices",
                                   verbose_name=_("enterprise"))
    checklist = models.ForeignKey(Checklist, models.PROTECT, related_name="notices", verbose_name=_("checklist"))
    batch = models.CharField(_("batch"), max_length=32, help_text=_("e.g. 2026-11; one notice per batch."))
    campaign = models.ForeignKey("dispatch.Campaign", models.PROTECT, null=True, blank=True, related_name="notices",
                                 verbose_name=_("campaign"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="issued_self_check_notices", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "id"]
        verbose_name = _("self-check notice")
        verbose_name_plural = _("self-check notices")
        constraints = [models.UniqueConstraint(fields=["enterprise", "batch"], name="one_notice_per_batch")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.batch}"


class Round(models.Model):
    """One filling of a checklist: enterprise self-check, township patrol or enforcement inspection."""

    class Kind(models.TextChoices):
        SELF_CHECK = "self_check", _("enterprise self-check")
        PATROL = "patrol", _("township patrol")
        INSPECTION = "inspection", _("enforcement inspection")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    checklist = models.ForeignKey(Checklist, models.PROTECT, related_name="rounds", verbose_name=_("checklist"))
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="rounds", verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="rounds", verbose_name=_("township"))
    client_uuid = models.UUIDField(_("client submission id"), unique=True)
    notice = models.OneToOneField(SelfCheckNotice, models.PROTECT, null=True, blank=True, related_name="round",
                                  verbose_name=_("self-check notice"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="rounds_performed",
                                     verbose_name=_("performed by"))
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", blank=True,
                                      verbose_name=_("enforcement officers present"))
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    case_lead = models.BooleanField(_("case lead found"), default=False)
    case_filed_on = models.DateField(_("case filed on"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 help_text=_("Where the round was submitted, if the user agreed to share it."))
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.enterprise} {self.submitted_at:%Y-%m-%d}"


class LineResult(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("pass")
        FAIL = "fail", _("fail")
        NOT_APPLICABLE = "na", _("not applicable")

    round = models.ForeignKey(Round, models.CASCADE, related_name="results", verbose_name=_("round"))
    line = models.ForeignKey(ChecklistLine, models.PROTECT, related_name="results", verbose_name=_("line"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    work_order = models.OneToOneField(WorkOrder, models.SET_NULL, null=True, blank=True, related_name="line_result",
                                      verbose_name=_("work order opened"))

    class Meta:
        ordering = ["round", "line__seq"]
        verbose_name = _("line result")
        verbose_name_plural = _("line results")
        constraints = [models.UniqueConstraint(fields=["round", "line"], name="one_result_per_line")]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.result}"
