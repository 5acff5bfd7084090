"""The registry written out in the import templates: one sheet per table, the platform's headers, the
choices as their Chinese labels. An export imported again gives back the same registry.

``template_workbook`` is the empty template (with an instructions sheet and the code lists);
``export_workbook`` fills it with each enterprise's current permit (earlier permit versions are kept
in the platform, not exported). Both stream (openpyxl write-only mode) and return the .xlsx bytes, each sheet's size written in.
"""
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable

from django.db.models import OuterRef, Subquery
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Enterprise, Industry, MonitoringDuty, Outlet, Permit, PermitLimit, Pollutant
from ..registry import mapping
from ..registry.tables import BASIC, DUTIES, LIMITS, OUTLETS, TABLES, Table
from ..selectors import in_force_first

BOLD = Font(bold=True)


def _header(sheet, table: Table) -> None:
    cells = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header + ("*" if column.required else ""))
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _instructions(book: Workbook) -> None:
    sheet = book.create_sheet("填写说明")
    sheet.append(["表（工作表）", "列", "必填", "说明"])
    for table in TABLES:
        for column in table.columns:
            sheet.append([table.sheet, column.header, "是" if column.required else "否", column.hint])
    codes = book.create_sheet("污染物代码")
    codes.append(["HJ 212 编码", "污染物", "浓度单位"])
    for code, name, unit in Pollutant.objects.filter(is_parameter=False).values_list("code", "name", "unit"):
        codes.append([code, name, unit])
    industries = book.create_sheet("行业代码")
    industries.append(["行业代码", "行业名称"])
    for code, name in Industry.objects.values_list("code", "name"):
        industries.append([code, name])


SHEET_XML = re.compile(r"xl/worksheets/sheet\d+\.xml")
CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)\d+"')
AFTER_SHEET_PROPERTIES = re.compile(rb"(<worksheet[^>]*>(?:<sheetPr>.*?</sheetPr>|<sheetPr\s*/>)?)", re.S)


def _column_number(letters: bytes) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + letter - 64
    return n


def _with_dimensions(content: bytes) -> bytes:
    """The workbook with each sheet's ``<dimension>`` written in. openpyxl's write-only mode leaves it out
    (rows stream before their number is known), and a read-only reader of the export (openpyxl's, as a
    bureau's own scripts use it) then parses every sheet twice to learn its size. The platform's import
    reads with calamine, which does not need it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if SHEET_XML.fullmatch(info.filename) and b"<dimension" not in data:
                rows = data.count(b"<row ")
                columns = max(map(_column_number, set(CELL_COLUMN.findall(data))), default=1)
                ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}".encode()
                data = AFTER_SHEET_PROPERTIES.sub(lambda m: m.group(1) + b'<dimension ref="' + ref + b'"/>',
                                                  data, count=1)
            target.writestr(info, data)
    return out.getvalue()


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return _with_dimensions(out.getvalue())


def template_workbook() -> bytes:
    """The empty import template: the four tables' headers (required ones marked *), instructions."""
    book = Workbook(write_only=True)
    for table in TABLES:
        _header(book.create_sheet(table.sheet), table)
    _instructions(book)
    return _save(book)


def template_csv(table: Table) -> bytes:
    """One table's headers as a CSV file (UTF-8 with BOM, so Excel opens it in Chinese)."""
    out = io.StringIO()
    csv.writer(out).writerow(table.headers)
    return out.getvalue().encode("utf-8-sig")


def _blank(value):
    return "" if value is None else value


def _basic_rows(permit_ids) -> Iterable[dict]:
    fields = ("number", "management_class", "issued_on", "valid_from", "expires_on", "issuing_authority", "status",
              "enterprise__credit_code", "enterprise__name", "enterprise__industry__code",
              "enterprise__industry__name", "enterprise__address", "enterprise__township__name",
              "enterprise__longitude", "enterprise__latitude", "enterprise__legal_representative",
              "enterprise__contact_name", "enterprise__contact_phone", "enterprise__contact_email",
              "enterprise__status")
    rows = Permit.objects.filter(pk__in=permit_ids).order_by("enterprise__credit_code").values(*fields)
    for p in rows.iterator(chunk_size=2000):
        e = {k.removeprefix("enterprise__"): v for k, v in p.items() if k.startswith("enterprise__")}
        yield {
            "name": e["name"], "credit_code": e["credit_code"], "permit_number": p["number"],
            "industry": f"{e['industry__code']} {e['industry__name']}", "address": e["address"],
            "township": e["township__name"], "longitude": e["longitude"], "latitude": e["latitude"],
            "management_class": mapping.MANAGEMENT_CLASSES.label(p["management_class"]),
            "issued_on": p["issued_on"], "valid_from": p["valid_from"], "expires_on": p["expires_on"],
            "issuing_authority": p["issuing_authority"], "permit_status": mapping.PERMIT_STATUSES.label(p["status"]),
            "legal_representative": e["legal_representative"], "contact_name": e["contact_name"],
            "contact_phone": e["contact_phone"], "contact_email": e["contact_email"],
            "status": mapping.ENTERPRISE_STATUSES.label(e["status"]),
        }


def _outlet_rows(permit_ids) -> Iterable[dict]:
    rows = (Outlet.objects.filter(permit_id__in=permit_ids).order_by("permit__number", "code")
            .values("permit__number", "code", "name", "kind", "is_main", "longitude", "latitude", "height_m",
                    "receiving_water", "online_monitored"))
    for o in rows.iterator(chunk_size=5000):
        yield {"permit_number": o["permit__number"], "outlet_code": o["code"], "name": o["name"],
               "kind": mapping.OUTLET_KINDS.label(o["kind"]),
               "outlet_type": mapping.OUTLET_TYPES.label("main" if o["is_main"] else "general"),
               "longitude": o["longitude"], "latitude": o["latitude"], "height_m": o["height_m"],
               "receiving_water": o["receiving_water"],
               "online_monitored": mapping.YES_NO.label("yes" if o["online_monitored"] else "no")}


def _limit_rows(permit_ids) -> Iterable[dict]:
    rows = (PermitLimit.objects.filter(outlet__permit_id__in=permit_ids)
            .order_by("outlet__permit__number", "outlet__code", "pollutant__code")
            .values("outlet__permit__number", "outlet__code", "pollutant__name", "limit_value", "lower_limit", "unit",
                    "averaging_period", "annual_quantity", "standard"))
    for r in rows.iterator(chunk_size=5000):
        yield {"permit_number": r["outlet__permit__number"], "outlet_code": r["outlet__code"],
               "pollutant": r["pollutant__name"], "limit_value": r["limit_value"], "lower_limit": r["lower_limit"],
               "unit": r["unit"], "averaging_period": mapping.AVERAGING_PERIODS.label(r["averaging_period"]),
               "annual_quantity": r["annual_quantity"],
               "annual_unit": "t/a" if r["annual_quantity"] is not None else "", "standard": r["standard"]}


def _duty_rows(permit_ids) -> Iterable[dict]:
    rows = (MonitoringDuty.objects.filter(permit_id__in=permit_ids)
            .order_by("permit__number", "outlet__code", "pollutant__code")
            .values("permit__number", "outlet__code", "pollutant__name", "method", "frequency"))
    for r in rows.iterator(chunk_size=5000):
        yield {"permit_number": r["permit__number"], "outlet_code": r["outlet__code"] or "",
               "pollutant": r["pollutant__name"], "method": mapping.METHODS.label(r["method"]),
               "frequency": mapping.FREQUENCIES.label(r["frequency"])}


def export_workbook(enterprises=None, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The registry (``enterprises``, default all) in the import template, each with its current permit."""
    progress = progress or (lambda n: None)
    current = in_force_first(Permit.objects.filter(enterprise=OuterRef("pk"))).values("pk")[:1]
    enterprises = Enterprise.objects.all() if enterprises is None else enterprises
    permit_ids = list(enterprises.annotate(current_permit=Subquery(current))
                      .filter(current_permit__isnull=False).values_list("current_permit", flat=True))
    book = Workbook(write_only=True)
    for table, rows in ((BASIC, _basic_rows(permit_ids)), (OUTLETS, _outlet_rows(permit_ids)),
                        (LIMITS, _limit_rows(permit_ids)), (DUTIES, _duty_rows(permit_ids))):
        sheet = book.create_sheet(table.sheet)
        _header(sheet, table)
        keys = [c.key for c in table.columns]
        for n, row in enumerate(rows, start=1):
            sheet.append([_blank(row[k]) for k in keys])
            if n % 1000 == 0:
                progress(1000)
    _instructions(book)
    return _save(book)
