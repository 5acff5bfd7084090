"""The reports' daily roll-up of online monitoring: per outlet, pollutant and local day, how many hours
had valid data, counted once from that day's hourly aggregates (``outreach.services.rollups``).

A county summary over a year reads one row per day instead of 24, and a row stays exact: it remembers the
``updated_at`` of the day's aggregate it was counted from, and ingestion stamps that aggregate whenever a
reading of the day arrives, so a day that changed since is counted again before it is read.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Outlet, Pollutant
from monitoring.models import Aggregate


class ValidHoursDay(models.Model):
    # No constraint and no cascade: monitoring's retention deletes aggregates by the million with plain
    # DELETEs, which a cascade would turn into fetching them all; a row outliving its day keeps the count.
    day = models.OneToOneField(Aggregate, models.DO_NOTHING, primary_key=True, db_constraint=False,
                               related_name="valid_hours_rollup", verbose_name=_("daily aggregate"))
    # Copied from the daily aggregate, so reading the roll-up never touches the big aggregate table.
    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="+", db_index=False, verbose_name=_("outlet"))
    pollutant = models.ForeignKey(Pollutant, models.CASCADE, related_name="+", db_index=False,
                                  verbose_name=_("pollutant"))
    start = models.DateTimeField(_("start of the day"))
    valid_hours = models.PositiveSmallIntegerField(_("hours with valid data"))
    counted_from = models.DateTimeField(_("daily aggregate as of"),
                                        help_text=_("The updated_at of the daily aggregate when it was counted."))

    class Meta:
        verbose_name = _("valid hours of a day")
        verbose_name_plural = _("valid hours of days")
        indexes = [models.Index(fields=["start", "outlet"], name="valid_hours_day_start_idx")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.pollutant_id} {self.start:%Y-%m-%d} {self.valid_hours} h"
