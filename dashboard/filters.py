"""Parsing the filters of the one map from query parameters, with a clear error for bad input.

``township`` (ids), ``industry`` (GB/T 4754 codes or prefixes such as ``C17``), ``colour`` (eco-code
colours, ``none`` for not yet scored), ``class`` (permit management classes) take comma-separated lists;
``warnings=1`` keeps the enterprises with an open warning, ``warnings=0`` those without.
"""
import re
from dataclasses import dataclass

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
            raise FilterError(f"township must be numeric ids, got {value!r}")
        townships.append(int(value))
    industries = []
    for value in _items(params, "industry"):
        if not _INDUSTRY.match(value.upper()):
            raise FilterError(f"industry must be a GB/T 4754 code or prefix such as C17, got {value!r}")
        industries.append(value.upper())
    colours = []
    for value in _items(params, "colour"):
        if value not in Colour.values and value != NO_COLOUR:
            raise FilterError(f"colour must be one of {', '.join(Colour.values + [NO_COLOUR])}, got {value!r}")
        colours.append(value)
    classes = []
    for value in _items(params, "class"):
        if value not in ManagementClass.values:
            raise FilterError(f"class must be one of {', '.join(ManagementClass.values)}, got {value!r}")
        classes.append(value)
    raw_warnings = params.get("warnings", "").strip()
    if raw_warnings not in ("", "0", "1"):
        raise FilterError(f"warnings must be 0 or 1, got {raw_warnings!r}")
    warnings = None if raw_warnings == "" else raw_warnings == "1"
    return MapFilters(tuple(sorted(set(townships))), tuple(sorted(set(industries))), tuple(sorted(set(colours))),
                      tuple(sorted(set(classes))), warnings)
