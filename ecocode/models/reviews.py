"""An enterprise's objection to a deduction (异议) and its application for credit repair (信用修复).

Both name the deduction (the score and the indicator code) and the records it rests on (their episode
keys). Township or bureau staff decide within a deadline, with a reason. An accepted objection or an
approved repair relieves those records: the next score (run at once) does not charge them again.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .scores import Score


class Review(models.Model):
    """What an objection and a repair application share: who asks about which deduction, and the decision."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        ACCEPTED = "accepted", _("upheld")
        REJECTED = "rejected", _("rejected")

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="+", verbose_name=_("enterprise"))
    score = models.ForeignKey(Score, models.PROTECT, related_name="+", verbose_name=_("score"))
    indicator_code = models.CharField(_("indicator"), max_length=8)
    episodes = models.JSONField(_("records concerned"), default=list,
                                help_text=_("Episode keys of the deduction's records."))
    reasons = models.TextField(_("reasons"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED,
                             db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    review_due_at = models.DateTimeField(_("review due"), db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    rescore = models.ForeignKey(Score, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("score after the decision"))

    class Meta:
        abstract = True
        ordering = ["-submitted_at", "-id"]


class Objection(Review):
    class Meta(Review.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"异议 {self.pk} {self.indicator_code}"


class CreditRepair(Review):
    correction = models.TextField(_("what was corrected"))
    corrected_on = models.DateField(_("corrected on"))

    class Meta(Review.Meta):
        verbose_name = _("credit repair application")
        verbose_name_plural = _("credit repair applications")

    def __str__(self) -> str:
        return f"信用修复 {self.pk} {self.indicator_code}"


class ReviewAttachment(models.Model):
    """A file the enterprise attaches to an objection or a repair application."""

    objection = models.ForeignKey(Objection, models.CASCADE, null=True, blank=True, related_name="attachments")
    repair = models.ForeignKey(CreditRepair, models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to="ecocode/reviews/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.CheckConstraint(
            condition=models.Q(objection__isnull=False, repair__isnull=True)
            | models.Q(objection__isnull=True, repair__isnull=False), name="attachment_of_one_review")]

    def __str__(self) -> str:
        return self.name
