"""How a pollutant's value is shown to people: rounded to the decimals of its HJ 212 data type (``N5.2``
is two, ``N4`` none), followed by its unit, and the pollutant by its name, never its code.

Every page, export and API text that shows a reading, an aggregate, a limit or a warning's value goes
through ``value_text``; templates use the ``pollutants`` tag library (``{% value_text v pollutant unit %}``).
"""
import functools
import re

from .models import Pollutant
from .reference import families, family_of, read_rows

DEFAULT_DECIMALS = 2  # codes the table gives no numeric type (status codes, dates)
_NUMERIC = re.compile(r"^N\d+(?:\.(\d+))?$")


@functools.cache
def _decimals_table() -> dict[str, int]:
    table = {}
    for row in read_rows("hj212_codes.csv"):
        match = _NUMERIC.match(row["data_type"].strip())
        if match and row["code"] not in table:
            table[row["code"]] = int(match.group(1) or 0)
    return table


@functools.cache
def _families() -> dict[str, str]:
    return families(_decimals_table())


def decimals(code: str | None) -> int:
    """Decimals of ``code`` by the code table; a concrete code of a family (``e10101``) takes its family's."""
    table = _decimals_table()
    if not code:
        return DEFAULT_DECIMALS
    if code in table:
        return table[code]
    family = family_of(code, _families())
    return table.get(family, DEFAULT_DECIMALS) if family else DEFAULT_DECIMALS


def rounded(value, code: str | None) -> float | None:
    return None if value is None else round(float(value), decimals(code))


def number_text(value, code: str | None) -> str:
    """The value rounded to the pollutant's precision, without unit ('' for no value)."""
    if value is None:
        return ""
    return f"{float(value):.{decimals(code)}f}"


def value_text(value, pollutant: Pollutant | str | None, unit: str | None = None) -> str:
    """'13 mg/m³': the value at the pollutant's precision with ``unit`` (by default the pollutant's own;
    the dimensionless pH shows none). '' for no value."""
    if value is None:
        return ""
    code = pollutant.code if isinstance(pollutant, Pollutant) else pollutant
    if unit is None:
        unit = pollutant.unit if isinstance(pollutant, Pollutant) else _unit_of(code)
    text = number_text(value, code)
    return f"{text} {unit}" if unit and unit != "无量纲" else text


_KNOWN: dict[str, tuple[str, str]] = {}


def _known(code: str) -> tuple[str, str] | None:
    """(name, unit) of a code from the pollutant table, remembered once found (the table only grows)."""
    if code not in _KNOWN:
        row = Pollutant.objects.filter(code=code).values_list("name", "unit").first()
        if row is None:
            return None
        _KNOWN[code] = row
    return _KNOWN[code]


def _unit_of(code: str | None) -> str:
    found = _known(code) if code else None
    return found[1] if found else ""


def name_of(code: str | None) -> str:
    """The pollutant's name for a code ('' for none; the code itself only if no table knows it)."""
    if not code:
        return ""
    found = _known(code)
    return found[0] if found else code
