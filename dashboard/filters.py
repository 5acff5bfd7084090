"""Parsing the filters of the one map from query parameters, with a clear error for bad input.

``township`` (ids), ``industry`` (GB/T 4754 codes or prefixes such as ``C17``), ``colour`` (eco-code
colours, ``none`` for not yet scored), ``class`` (permit management classes) take comma-separated lists;
``warnings=1`` keeps the enterprises with an open warning, ``warnings=0`` those without.
The viewport endpoint adds ``bbox=west,south,east,north`` (degrees) and ``zoom`` (Leaflet's zoom level).
Error messages are in the user's language (zh-Hans).
"""
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ecocode.models import Colour
from enterprises.models.enterprises import ManagementClass

NO_COLOUR = "none"
_INDUSTRY = re.compile(r"^[A-T]\d{0,4}$")


class FilterError(ValueError):
    """A filter value the map cannot use; the message says which and why."""


@dataclass(frozen=True)
class MapFilters:
    townships: tuple[int, ...] = ()
    industries: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    warnings: bool | None = None


def _items(params, name: str) -> list[str]:
    values = []
    for raw in params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def parse(params) -> MapFilters:
    """MapFilters from a QueryDict; raises FilterError on the first bad value."""
    townships = []
    for value in _items(params, "township"):
        if not value.isdigit():
            raise FilterError(_("township must be numeric ids, got %(value)s") % {"value": repr(value)})
        townships.append(int(value))
    industries = []
    for value in _items(params, "industry"):
        if not _INDUSTRY.match(value.upper()):
            raise FilterError(_("industry must be a GB/T 4754 code or prefix such as C17, got %(value)s")
                              % {"value": repr(value)})
        industries.append(value.upper())
    colours = []
    for value in _items(params, "colour"):
        if value not in Colour.values and value != NO_COLOUR:
            raise FilterError(_("colour must be one of %(choices)s, got %(value)s")
                              % {"choices": ", ".join(Colour.values + [NO_COLOUR]), "value": repr(value)})
        colours.append(value)
    classes = []
    for value in _items(params, "class"):
        if value not in ManagementClass.values:
            raise FilterError(_("class must be one of %(choices)s, got %(value)s")
                              % {"choices": ", ".join(ManagementClass.values), "value": repr(value)})
        classes.append(value)
    raw_warnings = params.get("warnings", "").strip()
    if raw_warnings not in ("", "0", "1"):
        raise FilterError(_("warnings must be 0 or 1, got %(value)s") % {"value": repr(raw_warnings)})
    warnings = None if raw_warnings == "" else raw_warnings == "1"
    return MapFilters(tuple(sorted(set(townships))), tuple(sorted(set(industries))), tuple(sorted(set(colours))),
                      tuple(sorted(set(classes))), warnings)


# --- the viewport ---------------------------------------------------------------------------------

MIN_ZOOM, MAX_ZOOM = 0, 20
TILE_PX = 256
#: The widest box (in screen pixels at its zoom) one request may ask for: a large screen with margin.
MAX_SCREEN_PX = 8192


@dataclass(frozen=True)
class Viewport:
    """A box in degrees (west < east, south < north) seen at a Leaflet zoom level."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    def degrees_per_px(self) -> float:
        """Degrees of longitude one screen pixel spans at this zoom (Web Mercator tiles of 256 px)."""
        return 360 / (TILE_PX * 2 ** self.zoom)


def parse_viewport(params) -> Viewport:
    """The Viewport of ``bbox`` and ``zoom``; raises FilterError saying what is wrong."""
    raw_box, raw_zoom = params.get("bbox", "").strip(), params.get("zoom", "").strip()
    if not raw_box:
        raise FilterError(_("bbox is required: west,south,east,north in degrees"))
    try:
        west, south, east, north = (float(v) for v in raw_box.split(","))
    except ValueError:
        raise FilterError(_("bbox must be four numbers west,south,east,north in degrees, got %(value)s")
                          % {"value": repr(raw_box)}) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)) or not (
            -180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise FilterError(_("bbox must lie within longitude -180 to 180 and latitude -90 to 90, "
                            "with west < east and south < north, got %(value)s") % {"value": repr(raw_box)})
    if not raw_zoom.isdigit() or not MIN_ZOOM <= int(raw_zoom) <= MAX_ZOOM:
        raise FilterError(_("zoom must be a whole number from %(min)s to %(max)s, got %(value)s")
                          % {"min": MIN_ZOOM, "max": MAX_ZOOM, "value": repr(raw_zoom)})
    view = Viewport(west, south, east, north, int(raw_zoom))
    if max(east - west, north - south) / view.degrees_per_px() > MAX_SCREEN_PX:
        raise FilterError(_("bbox is larger than a screen at zoom %(zoom)s (at most %(px)s pixels across): "
                            "zoom out or ask for a smaller box") % {"zoom": view.zoom, "px": MAX_SCREEN_PX})
    return view
