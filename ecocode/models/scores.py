"""Results of scoring: one ``ScoringRun`` per nightly or on-demand run, one ``Score`` per enterprise and
run (with its explanation), the current ``EcoCode`` of each enterprise (with its public token) and the
``ColourChange`` history."""
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .catalogue import CatalogueVersion, Colour


def public_token() -> str:
    """An unguessable token for the public page (128 bits)."""
    return secrets.token_urlsafe(16)


class ScoringRun(models.Model):
    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly")
        ON_DEMAND = "on_demand", _("on demand")
        REVIEW = "review", _("after an objection or repair decision")
        HISTORY = "history", _("a past month, scored afterwards")

    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    as_of = models.DateTimeField(_("data as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    catalogue_version = models.ForeignKey(CatalogueVersion, models.PROTECT, related_name="runs",
                                          verbose_name=_("catalogue version"))
    enterprises = models.PositiveIntegerField(_("enterprises scored"), default=0)
    colour_changes = models.PositiveIntegerField(_("colour changes"), default=0)
    insufficient = models.PositiveIntegerField(_("enterprises with insufficient data"), default=0)
    unavailable_rules = models.JSONField(_("rules without a data source"), default=list, blank=True,
                                         help_text=_("Per rule: its indicators, why it has no data and how many "
                                                     "enterprises it could not score."))

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.as_of:%Y-%m-%d %H:%M}"


class Score(models.Model):
    run = models.ForeignKey(ScoringRun, models.CASCADE, related_name="scores", verbose_name=_("run"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="eco_scores",
                                   verbose_name=_("enterprise"))
    catalogue_version = models.ForeignKey(CatalogueVersion, models.PROTECT, related_name="+",
                                          verbose_name=_("catalogue version"))
    computed_at = models.DateTimeField(_("computed at"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    group_points = models.JSONField(_("points lost per group"), default=dict)
    explanation = models.JSONField(_("explanation"), default=list,
                                   help_text=_("The indicators that cost points: code, points, reason, evidence."))

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="one_score_per_run")]
        indexes = [models.Index(fields=["enterprise", "-computed_at"], name="score_enterprise_time_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.score} {self.colour}"


class EcoCode(models.Model):
    """The current eco-code of an enterprise and the token of its public page."""

    enterprise = models.OneToOneField(Enterprise, models.CASCADE, related_name="eco_code",
                                      verbose_name=_("enterprise"))
    token = models.CharField(_("public token"), max_length=32, unique=True, default=public_token)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True, db_index=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    latest = models.ForeignKey(Score, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("latest score"))
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("eco-code")
        verbose_name_plural = _("eco-codes")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.colour or '-'}"


class ColourChange(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="colour_changes",
                                   verbose_name=_("enterprise"))
    from_colour = models.CharField(_("from"), max_length=8, choices=Colour.choices, blank=True)
    to_colour = models.CharField(_("to"), max_length=8, choices=Colour.choices)
    score = models.ForeignKey(Score, models.CASCADE, related_name="+", verbose_name=_("score"))
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.from_colour or '-'} → {self.to_colour}"
