"""Joint inspections (联合检查): the bureau invites a township's comprehensive enforcement team
(综合行政执法队) or a neighbouring county's bureau to inspect an enterprise together. Each party keeps its
own part (its findings) and signs it; a party sees the shared header and its own part only."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Township


class JointInspection(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="joint_inspections",
                                   verbose_name=_("enterprise"))
    planned_on = models.DateField(_("planned on"))
    purpose = models.TextField(_("purpose"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("invited by"))
    invited_at = models.DateTimeField(_("invited at"))

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("joint inspection")
        verbose_name_plural = _("joint inspections")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.planned_on}"


class JointPart(models.Model):
    """One party's part of a joint inspection: its findings and its signature."""

    class Party(models.TextChoices):
        BUREAU = "bureau", _("county bureau")
        TOWNSHIP = "township", _("township enforcement team")
        COUNTY = "county", _("neighbouring county")

    joint = models.ForeignKey(JointInspection, models.CASCADE, related_name="parts", verbose_name=_("joint inspection"))
    party = models.CharField(_("party"), max_length=8, choices=Party.choices)
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("township"))
    agency = models.CharField(_("agency"), max_length=100, blank=True,
                              help_text=_("The neighbouring county's bureau, as it signs."))
    findings = models.TextField(_("findings"), blank=True)
    problems_found = models.PositiveIntegerField(_("problems found"), default=0)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("signature recorded by"))
    signer_name = models.CharField(_("signed by"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["joint", "id"]
        verbose_name = _("joint inspection part")
        verbose_name_plural = _("joint inspection parts")
        constraints = [
            models.CheckConstraint(name="joint_part_names_its_party",
                                   condition=Q(party="bureau", township__isnull=True)
                                   | Q(party="township", township__isnull=False)
                                   | Q(party="county", township__isnull=True, agency__gt="")),
            models.UniqueConstraint(fields=["joint", "party", "township", "agency"], name="joint_party_once",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.party == self.Party.TOWNSHIP:
            return _("%(township)s enforcement team") % {"township": self.township.name}
        return self.agency if self.party == self.Party.COUNTY else str(self.Party.BUREAU.label)
