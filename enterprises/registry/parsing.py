"""Reading the registry tables out of uploaded files: an .xlsx workbook (one sheet per table) or CSV
files (one table each, UTF-8 or GB 18030 as Excel in China saves them).

A table is recognised by its sheet or file name, else by its headers; the header row may sit below a
title row or two. The result is the raw cell values per row with the row number the user sees in Excel.
"""
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext_lazy as _

from .tables import TABLES, Table

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Problem:
    """A refused row (or a file-level fault): where it is and why."""

    sheet: str
    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class ParsedTable:
    table: Table
    source: str  # sheet or file name
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, {column key: raw value})


@dataclass
class ParsedFiles:
    tables: dict[str, ParsedTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def normalise(text) -> str:
    """Header or sheet name in comparable form: NFKC (full-width brackets, ³), no spaces, no '*' marks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).strip("*").lower()


def _header_index(table: Table) -> dict[str, str]:
    index = {}
    for column in table.columns:
        for name in (column.header, *column.aliases):
            index[normalise(name)] = column.key
    return index


HEADER_INDEX = {t.key: _header_index(t) for t in TABLES}
SHEET_INDEX = {normalise(t.sheet): t for t in TABLES}


def _match_headers(table: Table, cells) -> dict[int, str]:
    """Column position -> column key for the cells of a candidate header row."""
    index = HEADER_INDEX[table.key]
    found = {}
    for pos, cell in enumerate(cells):
        key = index.get(normalise(cell))
        if key and key not in found.values():
            found[pos] = key
    return found


def _locate(table: Table | None, head_rows: list[list]) -> tuple[Table, int, dict[int, str]] | None:
    """(table, header row offset, column map) of the best header row among the first rows. A sheet named
    after a table is read as that table; any other sheet only when a row holds all of a table's required
    headers (so an instructions or code-list sheet is passed over)."""
    best = None
    for offset, cells in enumerate(head_rows):
        for cand in [table] if table else TABLES:
            found = _match_headers(cand, cells)
            required = {c.key for c in cand.columns if c.required}
            complete = required <= set(found.values())
            if not found or (table is None and not complete):
                continue
            score = (complete, len(found))
            if best is None or score > best[0]:
                best = (score, cand, offset, found)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _add_table(result: ParsedFiles, source: str, table: Table | None, rows_iter) -> None:
    """Read one sheet or CSV: find the header row, check the required columns, collect the data rows."""
    head_rows = []
    for cells in rows_iter:
        head_rows.append(list(cells))
        if len(head_rows) >= HEADER_SEARCH_ROWS:
            break
    located = _locate(table, head_rows)
    if located is None:
        if table is not None:
            result.problems.append(Problem(source, None, "", "", str(_("No header row of this table found."))))
        return  # a sheet that is none of the tables (instructions, notes): ignored
    table, offset, columns = located
    if table.key in result.tables:
        result.problems.append(Problem(source, None, "", "",
                                       str(_("The table %(sheet)s appears twice.") % {"sheet": table.sheet})))
        return
    missing = [c.header for c in table.columns if c.required and c.key not in columns.values()]
    if missing:
        result.problems.append(Problem(source, offset + 1, "、".join(missing), "",
                                       str(_("Required column missing."))))
        return
    parsed = ParsedTable(table=table, source=source)

    def collect(number, cells):
        values = {key: cells[pos] if pos < len(cells) else None for pos, key in columns.items()}
        if any(v not in (None, "") and str(v).strip() for v in values.values()):
            parsed.rows.append((number, values))

    for k, cells in enumerate(head_rows[offset + 1:], start=offset + 2):
        collect(k, cells)
    for k, cells in enumerate(rows_iter, start=len(head_rows) + 1):
        collect(k, list(cells))
    result.tables[table.key] = parsed


def _read_xlsx(result: ParsedFiles, name: str, content: bytes) -> None:
    """Each sheet's cell values (cached results of formulas), read from A1 so that row numbers are the
    sheet's, by calamine (Rust): an order of magnitude faster than openpyxl's read-only mode, which spent
    most of a county import parsing XML. Empty cells come as ''."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = [(title, book.get_sheet_by_name(title).to_python(skip_empty_area=False))
                  for title in book.sheet_names]
    except (CalamineError, ValueError, OSError) as exc:
        result.problems.append(Problem(name, None, "", "", str(_("Not a readable .xlsx workbook: %(error)s")
                                                            % {"error": exc})))
        return
    for title, rows in sheets:
        _add_table(result, title, SHEET_INDEX.get(normalise(title)), iter(rows))


def _decode(content: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(result: ParsedFiles, name: str, content: bytes) -> None:
    text = _decode(content)
    if text is None:
        result.problems.append(Problem(name, None, "", "", str(_("The CSV file is neither UTF-8 nor GB 18030."))))
        return
    table = SHEET_INDEX.get(normalise(PurePath(name).stem))
    before = len(result.tables)
    _add_table(result, name, table, csv.reader(io.StringIO(text)))
    if len(result.tables) == before and not any(p.sheet == name for p in result.problems):
        result.problems.append(Problem(name, None, "", "", str(_("No header row of a registry table found."))))


def read_files(files: list[tuple[str, bytes]]) -> ParsedFiles:
    """Parse uploaded files ``[(file name, content)]`` into the registry tables they hold."""
    result = ParsedFiles()
    for name, content in files:
        suffix = PurePath(name).suffix.lower()
        if suffix == ".xlsx":
            _read_xlsx(result, name, content)
        elif suffix == ".csv":
            _read_csv(result, name, content)
        else:
            result.problems.append(Problem(name, None, "", "", str(_("Only .xlsx and .csv files can be imported."))))
    if not result.problems and "basic" not in result.tables:
        result.problems.append(Problem("", None, "", "",
                                       str(_("The basic information table (sheet 基本信息) is missing."))))
    return result
