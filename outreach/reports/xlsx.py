"""Excel rendering of a report with openpyxl: a cover sheet with the header, one sheet per section,
numbers kept as numbers (percentages as 0.0%, times as local date-times)."""
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .layout import INT, NUM, PCT, TIME, Section

FORMATS = {PCT: "0.0%", INT: "#,##0", NUM: "#,##0.000", TIME: "yyyy-mm-dd hh:mm"}
HEADING = PatternFill("solid", fgColor="E1E8F0")


def _cell_value(value, kind):
    if kind == TIME and value is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _sheet_name(title: str, used: set) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28]
    base, n = name, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def render(title: str, header, sections: list[Section]) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = "概况"
    cover.append([title])
    cover["A1"].font = Font(size=14, bold=True)
    for label, value in header:
        cover.append([label, value])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 60
    used = {cover.title}
    for section in sections:
        sheet = book.create_sheet(_sheet_name(section.title, used))
        sheet.append([c.heading for c in section.columns])
        for cell in sheet[1]:
            cell.font, cell.fill = Font(bold=True), HEADING
        for values in section.rows:
            sheet.append([_cell_value(v, c.kind) for c, v in zip(section.columns, values)])
        for index, column in enumerate(section.columns, 1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(10, 12 * column.width)
            if column.kind in FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = FORMATS[column.kind]
        sheet.freeze_panes = "A2"
        if section.note:
            sheet.append([])
            sheet.append([section.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
