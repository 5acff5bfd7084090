"""Spreadsheet-safe cells for every export: a text cell beginning with ``= + - @`` (or a tab or carriage
return) is a formula to Excel and LibreOffice (``=HYPERLINK(...)`` sends a click elsewhere, DDE runs
commands), so CSV cells get a leading apostrophe and Excel cells are stored as plain text."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    """``value`` for ``csv.writer``: ``None`` as empty, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    return "'" + value if is_formula_like(value) else value


def csv_row(values) -> list:
    return [csv_cell(v) for v in values]


def xlsx_text_cells(sheet) -> None:
    """Store every formula-like text cell of an openpyxl ``sheet`` as text (openpyxl makes ``=…`` a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or is_formula_like(cell.value):
                cell.data_type = "s"
