"""Administrative areas: county → township/subdistrict → village, and grids for grid officers.

Each area has a centre point and a GeoJSON boundary (a Polygon's coordinates in lon/lat order),
so the map can draw it without a spatial database.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_polygon(value) -> None:
    """A GeoJSON Polygon geometry: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}."""
    if value in (None, {}):
        return
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ValidationError(_("Boundary must be a GeoJSON Polygon."))
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not rings or len(rings[0]) < 4:
        raise ValidationError(_("A polygon ring needs at least four positions."))
    for ring in rings:
        for pos in ring:
            if (not isinstance(pos, (list, tuple)) or len(pos) != 2
                    or not all(isinstance(c, (int, float)) for c in pos)
                    or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)):
                raise ValidationError(_("Invalid position in boundary: %(pos)s"), params={"pos": pos})
        if ring[0] != ring[-1]:
            raise ValidationError(_("A polygon ring must be closed."))


class Area(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=64)
    latitude = models.FloatField(_("centre latitude"), null=True, blank=True)
    longitude = models.FloatField(_("centre longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_polygon])

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class County(Area):
    class Meta(Area.Meta):
        verbose_name = _("county")
        verbose_name_plural = _("counties")


class Township(Area):
    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        SUBDISTRICT = "subdistrict", _("subdistrict")

    county = models.ForeignKey(County, models.PROTECT, related_name="townships", verbose_name=_("county"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOWN)

    class Meta(Area.Meta):
        verbose_name = _("township")
        verbose_name_plural = _("townships")


class Village(Area):
    township = models.ForeignKey(Township, models.PROTECT, related_name="villages", verbose_name=_("township"))

    class Meta(Area.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")


class Grid(Area):
    """The smallest unit of the grid-management system; each has one or more grid officers."""

    village = models.ForeignKey(Village, models.PROTECT, related_name="grids", verbose_name=_("village"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="grids", verbose_name=_("township"))

    class Meta(Area.Meta):
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def clean(self):
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            raise ValidationError({"village": _("The village is not in this grid's township.")})
