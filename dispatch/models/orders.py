"""Work orders (工单), who must act on them, their recorded transitions, feedbacks and public complaints.

The state machine itself (which action moves which state to which) lives in ``dispatch.workflow``;
the "1357" deadlines are stored on the order when it is opened so overdue queries are plain indexed filters.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Grid, Township


class Team(models.Model):
    """An enforcement team (执法中队) of the bureau's officers; may cover some townships."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="enforcement_teams", blank=True,
                                     verbose_name=_("members"), limit_choices_to={"role": "enforcement"})
    townships = models.ManyToManyField(Township, related_name="enforcement_teams", blank=True,
                                       verbose_name=_("townships covered"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("enforcement team")
        verbose_name_plural = _("enforcement teams")

    def __str__(self) -> str:
        return self.name


class WorkOrder(models.Model):
    """A dispatched task. Named WorkOrder so it never clashes with Celery tasks."""

    class Source(models.TextChoices):
        ALERT = "alert", _("escalated warning")
        COMPLAINT = "complaint", _("public complaint")
        PATROL = "patrol", _("patrol finding")
        INSPECTION = "inspection", _("inspection finding")
        SELF_CHECK = "self_check", _("self-check finding")
        STATION = "station", _("monitoring-station anomaly")
        MANUAL = "manual", _("opened by staff")

    class State(models.TextChoices):
        DISCOVERED = "discovered", _("discovered")
        DISPATCHED = "dispatched", _("dispatched")
        ACCEPTED = "accepted", _("accepted")
        HANDLING = "handling", _("handling")
        FED_BACK = "fed_back", _("fed back")
        REVIEWED = "reviewed", _("reviewed")
        CLOSED = "closed", _("closed")

    class Assignee(models.TextChoices):
        TOWNSHIP = "township", _("township")
        GRID = "grid", _("grid")
        TEAM = "team", _("enforcement team")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, null=True, blank=True, related_name="work_orders",
                                   verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="work_orders", verbose_name=_("township"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, db_index=True)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True,
                                  help_text=_("What opened it, e.g. alert:42; opening twice returns the first."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DISCOVERED,
                             db_index=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="opened_work_orders", verbose_name=_("opened by"))

    # Who must act.
    assignee_kind = models.CharField(_("assigned to"), max_length=16, choices=Assignee.choices, blank=True)
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, related_name="work_orders",
                             verbose_name=_("grid"))
    team = models.ForeignKey(Team, models.PROTECT, null=True, blank=True, related_name="work_orders",
                             verbose_name=_("enforcement team"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="assigned_work_orders", verbose_name=_("responsible officer"))

    # "1357" deadlines, fixed when the order is opened.
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    fix_due_at = models.DateTimeField(_("fix by"), null=True, blank=True)
    plan_due_at = models.DateTimeField(_("rectification plan by"), null=True, blank=True)
    supervise_at = models.DateTimeField(_("supervision starts at"), null=True, blank=True)
    due_at = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True,
                                  help_text=_("The fix deadline, or the date of a rectification plan reported in "
                                              "time."))
    plan_text = models.TextField(_("rectification plan"), blank=True)
    plan_date = models.DateField(_("rectification completion date"), null=True, blank=True)
    plan_reported_at = models.DateTimeField(_("plan reported at"), null=True, blank=True)

    # Milestones.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("fixed at"), null=True, blank=True,
                                       help_text=_("When the feedback that was accepted arrived complete."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Deadline reminders already sent, so the beat job reminds once.
    accept_reminded_at = models.DateTimeField(_("accept reminder sent"), null=True, blank=True)
    fix_reminded_at = models.DateTimeField(_("fix reminder sent"), null=True, blank=True)
    plan_reminded_at = models.DateTimeField(_("plan reminder sent"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("supervised (督办) since"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], condition=~Q(source_ref=""),
                                    name="work_order_unique_source_ref"),
        ]
        indexes = [
            models.Index(fields=["state", "accept_due_at"], name="wo_state_accept_due"),
            models.Index(fields=["state", "due_at"], name="wo_state_due"),
            models.Index(fields=["township", "state"], name="wo_township_state"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class Transition(models.Model):
    """One recorded step of a work order: a state change or an event (plan reported, supervision)."""

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="transitions",
                                   verbose_name=_("work order"))
    action = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(_("from"), max_length=16, choices=WorkOrder.State.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=WorkOrder.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                           related_name="work_order_transitions", verbose_name=_("by"),
                           help_text=_("Empty when the platform itself acted."))
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.from_state} → {self.to_state}"


class Feedback(models.Model):
    """The handler's report on a work order: text plus a declared number of files.

    It is complete only when every declared file has arrived; only then does the order move to
    ``fed_back`` (field tools are known to drop attachments silently).
    """

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="feedbacks", verbose_name=_("work order"))
    client_uuid = models.UUIDField(_("client submission id"), unique=True,
                                   help_text=_("Sent by the client; a retried submission returns the first."))
    text = models.TextField(_("what was done"))
    declared_files = models.PositiveSmallIntegerField(_("files declared"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     related_name="work_order_feedbacks", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    completed_at = models.DateTimeField(_("complete at"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedbacks")

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.text[:40]}"


def complaint_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(models.Model):
    """A complaint from the public (QR page or complaint form); it becomes a work order."""

    class Channel(models.TextChoices):
        QR = "qr", _("QR code page")
        WEB = "web", _("public complaint form")
        HOTLINE = "hotline", _("hotline (entered by staff)")

    enterprise = models.ForeignKey(Enterprise, models.PROTECT, null=True, blank=True, related_name="complaints",
                                   verbose_name=_("enterprise"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="complaints", verbose_name=_("township"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("complaint"))
    photo = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/", null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    access_token = models.CharField(_("private status token"), max_length=64, unique=True, default=complaint_token)
    work_order = models.OneToOneField(WorkOrder, models.SET_NULL, null=True, blank=True, related_name="complaint",
                                      verbose_name=_("work order"))
    created_at = models.DateTimeField(_("filed at"), db_index=True)
    fixed_question_at = models.DateTimeField(_("asked \"is it fixed?\" at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.text[:40]


class ComplaintAnswer(models.Model):
    """The complainant's answer to "is it fixed?" after the order closed (FixMyStreet's questionnaire)."""

    complaint = models.ForeignKey(Complaint, models.CASCADE, related_name="answers", verbose_name=_("complaint"))
    fixed = models.BooleanField(_("fixed"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    closure = models.PositiveSmallIntegerField(_("closure answered"),
                                               help_text=_("Which closing of the order this answers (0 = first)."))

    class Meta:
        ordering = ["answered_at"]
        verbose_name = _("complaint answer")
        verbose_name_plural = _("complaint answers")
        constraints = [models.UniqueConstraint(fields=["complaint", "closure"], name="one_answer_per_closure")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {'fixed' if self.fixed else 'not fixed'}"
