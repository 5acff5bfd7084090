"""Checking the parsed rows and turning them into records of model field values, keyed by what
identifies them in the registry: the credit code, the permit number, (permit, outlet code),
(permit, outlet code, pollutant) and (permit, outlet code or "", pollutant).

Every fault becomes a ``Problem`` with its sheet, row, column and reason; a row with a fault is refused,
and so are the rows that hang on it (the outlets of a refused permit, the limits of a refused outlet).
"""
from dataclasses import dataclass, field

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .. import geometry
from ..models import Enterprise, Outlet, Permit, PermitLimit
from ..validators import validate_credit_code
from . import mapping
from .parsing import ParsedFiles, ParsedTable, Problem
from .tables import BASIC, DUTIES, LIMITS, OUTLETS, Table

FOUR_PLACES = Decimal("0.0001")
LARGEST = Decimal("99999999")  # the limit fields hold 12 digits, four of them decimals


@dataclass
class Record:
    sheet: str
    row: int
    values: dict


@dataclass
class Records:
    enterprises: dict[str, Record] = field(default_factory=dict)  # credit code ->
    permits: dict[str, Record] = field(default_factory=dict)  # permit number -> (values hold credit_code)
    outlets: dict[tuple[str, str], Record] = field(default_factory=dict)
    limits: dict[tuple[str, str, int], Record] = field(default_factory=dict)
    duties: dict[tuple[str, str, int], Record] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _RowCheck:
    """Collects the problems of one row; ``get`` maps one cell and records its fault."""

    def __init__(self, table: Table, source: str, row: int, cells: dict, problems: list[Problem]):
        self.table, self.source, self.row, self.cells, self.problems = table, source, row, cells, problems
        self.ok = True

    def refuse(self, key: str, reason, value=None) -> None:
        self.ok = False
        raw = self.cells.get(key) if value is None else value
        self.problems.append(Problem(self.source, self.row, self.table.column(key).header,
                                     mapping.text(raw), str(reason)))

    def get(self, key: str, convert=mapping.text, *, required: bool = False, max_length: int | None = None):
        raw = self.cells.get(key)
        if required and mapping.text(raw) == "":
            self.refuse(key, _("Required."))
            return None
        try:
            value = convert(raw)
        except mapping.MappingError as exc:
            self.refuse(key, exc)
            return None
        if max_length and isinstance(value, str) and len(value) > max_length:
            self.refuse(key, _("Longer than %(n)d characters.") % {"n": max_length})
            return None
        return value


OUTLET_REACH_M = 1000  # an outlet may sit just over the county line, this close to its enterprise's centre


def _point(check: _RowCheck, locator: mapping.AreaLocator, required: bool, near=None):
    lon = check.get("longitude", mapping.coordinate, required=required)
    lat = check.get("latitude", mapping.coordinate, required=required)
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        if check.ok:
            check.refuse("latitude" if lat is None else "longitude", _("Give both longitude and latitude."))
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        check.refuse("longitude", _("Not a longitude/latitude pair."), value=f"{lon}, {lat}")
        return None
    if not locator.in_county((lon, lat)) and not (
            near is not None and geometry.distance_m(near, (lon, lat)) <= OUTLET_REACH_M):
        check.refuse("longitude", _("Coordinates outside the county."), value=f"{lon}, {lat}")
        return None
    return lon, lat


class RecordBuilder:
    """Checks the rows of all four tables, in order, against the look-ups of the database."""

    def __init__(self, *, county_code: str = ""):
        self.industries = mapping.IndustryMap()
        self.pollutants = mapping.PollutantMap()
        self.locator = mapping.AreaLocator(county_code)

    def build(self, parsed: ParsedFiles, progress=None) -> Records:
        records = Records(problems=list(parsed.problems))
        self.refused_permits: dict[str, int] = {}
        self.refused_outlets: dict[tuple[str, str], int] = {}
        steps = ((BASIC, self._basic), (OUTLETS, self._outlet), (LIMITS, self._limit), (DUTIES, self._duty))
        for table, check_row in steps:
            parsed_table: ParsedTable | None = parsed.tables.get(table.key)
            if parsed_table is None:
                continue
            seen: dict = {}
            for number, cells in parsed_table.rows:
                check = _RowCheck(table, parsed_table.source, number, cells, records.problems)
                check_row(check, records, seen)
                records.rows += 1
            if progress:
                progress(len(parsed_table.rows))
        return records

    # --- the permit holder and its permit ------------------------------------------------------
    def _basic(self, check: _RowCheck, records: Records, seen: dict) -> None:
        name = check.get("name", required=True, max_length=_max_length(Enterprise, "name"))
        credit_code = check.get("credit_code", lambda v: mapping.nfkc(mapping.text(v)).upper(), required=True)
        if credit_code:
            try:
                validate_credit_code(credit_code)
            except ValidationError as exc:
                check.refuse("credit_code", exc.messages[0])
                credit_code = None
        if credit_code and credit_code in seen:
            check.refuse("credit_code", _("This credit code is already in row %(row)d.") % {"row": seen[credit_code]})
        number = check.get("permit_number", lambda v: mapping.nfkc(mapping.text(v)).upper(), required=True,
                           max_length=_max_length(Permit, "number"))
        if number and ("permit", number) in seen:
            check.refuse("permit_number", _("This permit number is already in row %(row)d.")
                         % {"row": seen[("permit", number)]})
        industry = check.get("industry", self.industries.get, required=True)
        address = check.get("address", max_length=_max_length(Enterprise, "address"))
        point = _point(check, self.locator, required=True)
        township = village = grid = None
        if point is not None:
            try:
                township = self.locator.township(mapping.text(check.cells.get("township")), address or "", point)
            except mapping.MappingError as exc:
                check.refuse("township", exc)
            else:
                village, grid = self.locator.village_and_grid(township, point)
        klass = check.get("management_class", mapping.MANAGEMENT_CLASSES.code, required=True)
        issued = check.get("issued_on", mapping.date, required=True)
        valid_from = check.get("valid_from", mapping.date, required=True)
        expires = check.get("expires_on", mapping.date, required=True)
        if issued and valid_from and valid_from < issued:
            check.refuse("valid_from", _("A permit cannot be valid before it is issued."))
        if valid_from and expires and expires <= valid_from:
            check.refuse("expires_on", _("The expiry date must be after the start of validity."))
        authority = check.get("issuing_authority", max_length=_max_length(Permit, "issuing_authority"))
        permit_status = check.get("permit_status", mapping.PERMIT_STATUSES.code)
        email = check.get("contact_email", max_length=_max_length(Enterprise, "contact_email"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                check.refuse("contact_email", _("Not an e-mail address."))
        values = {
            "name": name, "credit_code": credit_code, "industry_id": industry and industry.pk, "address": address,
            "longitude": point and point[0], "latitude": point and point[1],
            "township_id": township and township.pk, "village_id": village and village.pk,
            "grid_id": grid and grid.pk, "management_class": klass,
            "legal_representative": check.get("legal_representative",
                                              max_length=_max_length(Enterprise, "legal_representative")),
            "contact_name": check.get("contact_name", max_length=_max_length(Enterprise, "contact_name")),
            "contact_phone": check.get("contact_phone", max_length=_max_length(Enterprise, "contact_phone")),
            "contact_email": email, "status": check.get("status", mapping.ENTERPRISE_STATUSES.code),
        }
        if credit_code:
            seen.setdefault(credit_code, check.row)
        if number:
            seen.setdefault(("permit", number), check.row)
        if not check.ok:
            if number:
                self.refused_permits.setdefault(number, check.row)
            return
        records.enterprises[credit_code] = Record(check.source, check.row, values)
        records.permits[number] = Record(check.source, check.row, {
            "number": number, "credit_code": credit_code, "management_class": klass, "issued_on": issued,
            "valid_from": valid_from, "expires_on": expires, "issuing_authority": authority,
            "status": permit_status})

    def _permit_of(self, check: _RowCheck, records: Records) -> str | None:
        number = check.get("permit_number", lambda v: mapping.nfkc(mapping.text(v)).upper(), required=True)
        if number is None:
            return None
        if number in self.refused_permits:
            check.refuse("permit_number", _("The permit's basic information (row %(row)d) was refused.")
                         % {"row": self.refused_permits[number]})
            return None
        if number not in records.permits:
            check.refuse("permit_number", _("This permit number is not in the basic information sheet."))
            return None
        return number

    def _outlet_code(self, check: _RowCheck, required: bool) -> str | None:
        return check.get("outlet_code", lambda v: mapping.nfkc(mapping.text(v)).upper(), required=required,
                         max_length=_max_length(Outlet, "code"))

    def _outlet_of(self, check: _RowCheck, records: Records, number: str | None, code: str | None) -> None:
        """Refuse the row unless its outlet is an accepted row of the outlets sheet."""
        if number is None or code is None:
            return
        if (number, code) in records.outlets:
            return
        if (number, code) in self.refused_outlets:
            check.refuse("outlet_code", _("The outlet's row (%(row)d) was refused.")
                         % {"row": self.refused_outlets[(number, code)]})
        else:
            check.refuse("outlet_code", _("This outlet is not in the outlets sheet."))

    # --- outlets, limits, duties ---------------------------------------------------------------
    def _outlet(self, check: _RowCheck, records: Records, seen: dict) -> None:
        number = self._permit_of(check, records)
        code = self._outlet_code(check, required=True)
        if number and code and (number, code) in seen:
            check.refuse("outlet_code", _("Duplicate outlet code (also in row %(row)d).")
                         % {"row": seen[(number, code)]})
        kind = check.get("kind", mapping.OUTLET_KINDS.code)
        if kind is None and check.ok and code:
            kind = {"DA": "air", "DW": "water"}.get(code[:2])
            if kind is None:
                check.refuse("kind", _("Give the outlet kind (废气, 废水 or 噪声)."))
        outlet_type = check.get("outlet_type", mapping.OUTLET_TYPES.code)
        firm = records.enterprises[records.permits[number].values["credit_code"]].values if number else None
        point = _point(check, self.locator, required=False,
                       near=(firm["longitude"], firm["latitude"]) if firm else None)
        height = check.get("height_m", mapping.decimal)
        if height is not None and height < 0:
            check.refuse("height_m", _("Cannot be negative."))
        online = check.get("online_monitored", mapping.YES_NO.code)
        name = check.get("name", max_length=_max_length(Outlet, "name"))
        values = {
            "code": code, "name": name or f"{code}排放口", "kind": kind, "is_main": outlet_type == "main",
            "online_monitored": online == "yes", "longitude": point and point[0], "latitude": point and point[1],
            "height_m": float(height) if height is not None else None,
            "receiving_water": check.get("receiving_water", max_length=_max_length(Outlet, "receiving_water")),
        }
        if number and code:
            seen.setdefault((number, code), check.row)
            if not check.ok:
                self.refused_outlets.setdefault((number, code), check.row)
        if check.ok:
            records.outlets[(number, code)] = Record(check.source, check.row, values)

    def _limit(self, check: _RowCheck, records: Records, seen: dict) -> None:
        number = self._permit_of(check, records)
        code = self._outlet_code(check, required=True)
        self._outlet_of(check, records, number, code)
        pollutant = check.get("pollutant", self.pollutants.get, required=True)
        value = check.get("limit_value", mapping.decimal, required=True)
        lower = check.get("lower_limit", mapping.decimal)
        period = check.get("averaging_period", mapping.AVERAGING_PERIODS.code)
        if period is None and mapping.text(check.cells.get("averaging_period")) == "":
            check.refuse("averaging_period", _("Limit period missing."))
        factor = check.get("unit", lambda v: mapping.concentration_factor(v, pollutant)) if pollutant else None
        quantity = check.get("annual_quantity", mapping.decimal)
        annual_factor = check.get("annual_unit", mapping.annual_factor)
        if value is not None and value <= 0:
            check.refuse("limit_value", _("A limit must be greater than zero."))
        if value is not None and lower is not None and lower >= value:
            check.refuse("lower_limit", _("The lower limit must be below the limit."))
        if quantity is not None and quantity < 0:
            check.refuse("annual_quantity", _("Cannot be negative."))
        for key_, number_ in (("limit_value", value), ("lower_limit", lower), ("annual_quantity", quantity)):
            if number_ is not None and abs(number_) > LARGEST:
                check.refuse(key_, _("Too large."))
        standard = check.get("standard", max_length=_max_length(PermitLimit, "standard"))
        key = (number, code, pollutant.pk) if number and code and pollutant else None
        if key and key in seen:
            check.refuse("pollutant", _("This outlet already has a limit of this pollutant in row %(row)d.")
                         % {"row": seen[key]})
        if key:
            seen.setdefault(key, check.row)
        if not check.ok:
            return
        records.limits[key] = Record(check.source, check.row, {
            "pollutant_id": pollutant.pk, "limit_value": _scaled(value, factor),
            "lower_limit": _scaled(lower, factor), "unit": pollutant.unit, "averaging_period": period,
            "standard": standard, "annual_quantity": _scaled(quantity, annual_factor)})

    def _duty(self, check: _RowCheck, records: Records, seen: dict) -> None:
        number = self._permit_of(check, records)
        code = self._outlet_code(check, required=False) or ""
        if code:
            self._outlet_of(check, records, number, code)
        pollutant = check.get("pollutant", self.pollutants.get, required=True)
        method = check.get("method", mapping.METHODS.code, required=True)
        frequency = check.get("frequency", mapping.FREQUENCIES.code, required=True)
        key = (number, code, pollutant.pk) if number and pollutant else None
        if key and key in seen:
            check.refuse("pollutant", _("This duty is already in row %(row)d.") % {"row": seen[key]})
        if key:
            seen.setdefault(key, check.row)
        if check.ok:
            records.duties[key] = Record(check.source, check.row, {
                "pollutant_id": pollutant.pk, "method": method, "frequency": frequency})


def _scaled(value, factor):
    """A value in the unit the platform stores, at the four decimal places of the limit fields."""
    if value is None:
        return None
    return (value * (factor if factor is not None else 1)).quantize(FOUR_PLACES)
