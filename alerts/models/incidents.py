"""An incident: a large share of the online outlets went silent together (a network, power or platform
outage, a regional event). One incident for the bureau stands for all of them, the way Alertmanager
groups and inhibits: while it lasts, their per-outlet missing-data warnings open nothing and escalate
nothing, and each enterprise is told once."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outlets = models.PositiveIntegerField(_("silent outlets"), help_text=_("At the last evaluation."))
    peak_outlets = models.PositiveIntegerField(_("most silent outlets"))
    monitored_outlets = models.PositiveIntegerField(_("online-monitored outlets"))
    last_seen_at = models.DateTimeField(_("last evaluated"))

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [models.UniqueConstraint(fields=["resolved_at"], condition=models.Q(resolved_at__isnull=True),
                                               name="one_open_incident")]

    def __str__(self) -> str:
        return f"{self.opened_at:%Y-%m-%d %H:%M} ({self.peak_outlets}/{self.monitored_outlets})"
