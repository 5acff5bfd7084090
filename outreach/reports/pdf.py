"""PDF rendering of a report with fpdf2: A4 landscape, the WenQuanYi Micro Hei font embedded (subset),
one table per section. The font file is ``settings.OUTREACH_PDF_FONT`` (Debian's fonts-wqy-microhei)."""
import logging

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace

from .layout import Section, display

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FAMILY = "wqy"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every table it subsets at INFO


class FontMissing(RuntimeError):
    pass


def _document(title: str) -> FPDF:
    path = getattr(settings, "OUTREACH_PDF_FONT", DEFAULT_FONT)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    try:
        pdf.add_font(FAMILY, "", path, collection_font_number=0)
    except (FileNotFoundError, OSError) as exc:
        raise FontMissing(f"the Chinese PDF font {path} is missing (apt-get install fonts-wqy-microhei)") from exc
    pdf.set_title(title)
    pdf.set_creator("排污许可证证后执法监管平台")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
    return pdf


def _header(pdf: FPDF, pairs) -> None:
    pdf.set_font(FAMILY, size=9)
    with pdf.table(col_widths=(1, 3, 1, 3), first_row_as_headings=False, line_height=5.5,
                   borders_layout="NONE") as table:
        for i in range(0, len(pairs), 2):
            row = table.row()
            for label, value in pairs[i:i + 2]:
                row.cell(label + "：")
                row.cell(value)
    pdf.ln(2)


WRAPPED_ROWS = 300  # larger tables are drawn one line per row (fpdf2's wrapping table is slow for thousands)
ROW_HEIGHT = 4.5


def _wrapped_table(pdf: FPDF, section: Section) -> None:
    headings = FontFace(emphasis="", fill_color=(225, 232, 240))
    with pdf.table(col_widths=[c.width for c in section.columns], headings_style=headings, line_height=ROW_HEIGHT,
                   text_align=[_align(c) for c in section.columns], repeat_headings=1) as table:
        header = table.row()
        for column in section.columns:
            header.cell(column.heading)
        for values in section.rows:
            row = table.row()
            for column, value in zip(section.columns, values):
                row.cell(display(value, column.kind))


class _Widths:
    """String widths at the current font and size as sums of per-glyph widths, each measured once
    (fpdf2 applies no kerning, so the sum is its own measure)."""

    def __init__(self, pdf: FPDF):
        self.pdf, self.glyphs = pdf, {}

    def __call__(self, text: str) -> float:
        glyphs = self.glyphs
        total = 0.0
        for char in text:
            width = glyphs.get(char)
            if width is None:
                width = glyphs[char] = self.pdf.get_string_width(char)
            total += width
        return total


def _fit(width_of, text: str, width: float, font_size: float) -> str:
    """``text`` cut (with an ellipsis) to ``width``; no glyph is wider than the font size (one em)."""
    if len(text) * font_size <= width or width_of(text) <= width:
        return text
    while text and width_of(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _line_table(pdf: FPDF, section: Section) -> None:
    """One line per row, drawn with ``text()`` (a tenth of the cost of ``cell()``, whose line breaking
    and styling a line that is cut to fit does not need): 10,250 rows of 13 columns take seconds."""
    total = sum(c.width for c in section.columns)
    widths = [pdf.epw * c.width / total for c in section.columns]
    lefts = [pdf.l_margin + sum(widths[:k]) for k in range(len(widths))]
    right_aligned = [_align(c) == "RIGHT" for c in section.columns]
    baseline = ROW_HEIGHT * 0.72
    width_of, size = _Widths(pdf), pdf.font_size

    def header():
        pdf.set_fill_color(225, 232, 240)
        for column, width in zip(section.columns, widths):
            pdf.cell(width, ROW_HEIGHT * 2, _fit(width_of, column.heading, width - 1, size), border=1, fill=True)
        pdf.ln()

    header()
    for values in section.rows:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            header()
        top = pdf.get_y()
        for column, value, left, width, right in zip(section.columns, values, lefts, widths, right_aligned):
            text = _fit(width_of, display(value, column.kind), width - 2 * pdf.c_margin, size)
            if text:
                x = left + width - pdf.c_margin - width_of(text) if right else left + pdf.c_margin
                pdf.text(x, top + baseline, text)
        pdf.line(pdf.l_margin, top + ROW_HEIGHT, pdf.l_margin + pdf.epw, top + ROW_HEIGHT)
        pdf.set_y(top + ROW_HEIGHT)


def _align(column) -> str:
    return "RIGHT" if column.kind in ("int", "num", "pct") else "LEFT"


def _section(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=7.5)
    if not section.rows:
        pdf.cell(0, 6, _("None in this period."), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    (_wrapped_table if len(section.rows) <= WRAPPED_ROWS else _line_table)(pdf, section)
    if section.note:
        pdf.set_font(FAMILY, size=7)
        pdf.multi_cell(0, 4, section.note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def render(title: str, header, sections: list[Section]) -> bytes:
    pdf = _document(title)
    _header(pdf, header)
    for section in sections:
        _section(pdf, section)
    return bytes(pdf.output())
