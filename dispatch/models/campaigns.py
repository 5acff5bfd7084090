"""Self-check notice campaigns: the bureau (county-wide) or a township (its own) asks a chosen set of
enterprises — by township, industry, eco-code colour, or all — to self-check, once or every month.

Each issue of a campaign is one batch of ``SelfCheckNotice`` rows (``c<id>`` once, ``c<id>-YYYY-MM``
monthly), so issuing twice adds nothing and the completion KPI counts the notices themselves.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Industry, Township


class Campaign(models.Model):
    class Schedule(models.TextChoices):
        ONCE = "once", _("once")
        MONTHLY = "monthly", _("every month")

    title = models.CharField(_("title"), max_length=120)
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, related_name="campaigns",
                                 verbose_name=_("township"), help_text=_("Empty: every township."))
    industry = models.ForeignKey(Industry, models.PROTECT, null=True, blank=True, related_name="campaigns",
                                 verbose_name=_("industry"), help_text=_("Empty: every industry."))
    colour = models.CharField(_("eco-code colour"), max_length=8, blank=True, help_text=_("Empty: every colour."))
    schedule = models.CharField(_("schedule"), max_length=8, choices=Schedule.choices, default=Schedule.ONCE)
    due_days = models.PositiveSmallIntegerField(_("days to complete"), default=14)
    active = models.BooleanField(_("active"), default=True, help_text=_("A monthly campaign issues while active."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="self_check_campaigns",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    last_batch = models.CharField(_("last batch issued"), max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-check campaign")
        verbose_name_plural = _("self-check campaigns")
        constraints = [models.CheckConstraint(name="campaign_due_days_positive", condition=models.Q(due_days__gte=1))]

    def __str__(self) -> str:
        return self.title
