"""A situation report as a PDF, rendered offline: A4 pages that repeat the marking on every page.

The PDF uses the standard PDF fonts every reader has, so nothing is fetched or embedded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from types import MappingProxyType

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from crisislink.adapters.db.queries.incident_views import IncidentView, SitrepView
from crisislink.adapters.documents.sitrep import (
    DOCUMENT_LANGUAGE,
    LanguageBlock,
    MarkingLabel,
    SitrepContext,
    SitrepDocument,
    build_document,
)

# fpdf2 bundles no TrueType font, and the product must not depend on fonts of the machine it runs on,
# so the PDF uses the standard Helvetica every PDF reader has. Its encoding is Windows-1252 rather
# than Latin-1: it adds the typographic punctuation people paste in (en and em dashes, curly quotes,
# ellipsis, euro sign), so those print as written. Anything beyond it is approximated by
# `core_font_text`; the HTML document shows every character as written.

PDF_FONT = "helvetica"
PDF_ENCODING = "windows-1252"
_LINE = 5.0
_MUTED = (90, 90, 90)
_DRAFT_RED = (176, 0, 32)
_NOTE_FILL = (255, 244, 204)
_PUNCTUATION = MappingProxyType(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2015": "\u2014",  # horizontal bar
        "\u2032": "'",  # prime
        "\u2033": '"',  # double prime
        "\u2212": "-",  # minus sign
        "\u2192": "->",
        "\u2190": "<-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\t": "    ",
        "\r": "",
    }
)


def core_font_text(text: str) -> str:
    """Text Helvetica can show: Windows-1252 as written, other characters approximated.

    Punctuation gets its ASCII look-alike, accented letters lose the accents the encoding lacks
    ("ő" -> "o"), and whatever is left (other scripts, symbols, emoji) prints as "?" so that the
    reader sees something is missing rather than nothing at all.
    """
    return "".join(_core_font_character(character) for character in text)


@cache
def _core_font_character(character: str) -> str:
    if character in _PUNCTUATION:
        return _PUNCTUATION[character]
    if _fits_core_font(character) and (character == "\n" or unicodedata.category(character) != "Cc"):
        return character
    decomposed = unicodedata.normalize("NFKD", character)
    base = "".join(part for part in decomposed if not unicodedata.combining(part))
    if base and base != character and all(_fits_core_font(part) for part in base):
        return base
    return "?"


def _fits_core_font(text: str) -> bool:
    try:
        text.encode(PDF_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.removeprefix("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _SitrepPdf(FPDF):
    """A4 pages that repeat the marking in the header and footer, as TLP asks of every page."""

    def __init__(self, document: SitrepDocument) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.core_fonts_encoding = PDF_ENCODING
        self.set_margins(left=18, top=20, right=18)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_y(8)
        _marking_cell(self, self.document.marking)
        for flag in _page_flags(self.document):
            self.set_text_color(*_DRAFT_RED)
            self.set_font(PDF_FONT, "B", 9)
            self.cell(self.get_string_width(flag) + 4, 6, flag, align="C")
        self.set_text_color(*_MUTED)
        self.set_font(PDF_FONT, "", 8)
        running_title = f"{self.document.title} - {self.document.report_heading}"
        remaining = self.w - self.r_margin - self.get_x()
        self.cell(remaining, 6, _fit(self, core_font_text(running_title), remaining), align="R")
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-13)
        _marking_cell(self, self.document.marking)
        self.set_text_color(*_MUTED)
        self.set_font(PDF_FONT, "", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _page_flags(document: SitrepDocument) -> Iterator[str]:
    if document.status.is_draft:
        yield document.status.label
    if document.mode_banner:
        yield core_font_text(document.mode_banner)


def _marking_cell(pdf: FPDF, marking: MarkingLabel) -> None:
    pdf.set_font(PDF_FONT, "B", 9)
    pdf.set_fill_color(*_rgb(marking.background))
    pdf.set_text_color(*_rgb(marking.foreground))
    pdf.cell(pdf.get_string_width(marking.text) + 4, 6, marking.text, align="C", fill=True)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(2, 6, "")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten a running header so it stays on its line."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _paragraph(pdf: FPDF, text: str, *, style: str = "", size: float = 10, height: float = _LINE) -> None:
    pdf.set_font(PDF_FONT, style, size)
    pdf.multi_cell(0, height, core_font_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _keep_room(pdf: FPDF, height: float) -> None:
    """Start a new page unless `height` fits, so a heading never ends a page without its text."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _heading(pdf: FPDF, text: str, *, size: float = 13, outline_level: int | None = 0) -> None:
    _keep_room(pdf, 3 + size * 0.5 + 3 * _LINE)
    pdf.ln(3)
    if outline_level is not None:
        pdf.start_section(text, level=outline_level)
    _paragraph(pdf, text, style="B", size=size, height=size * 0.5)
    pdf.ln(1)


def _banner(pdf: FPDF, text: str, *, fill: tuple[int, int, int], colour: tuple[int, int, int]) -> None:
    pdf.set_font(PDF_FONT, "B", 12)
    pdf.set_fill_color(*fill)
    pdf.set_text_color(*colour)
    pdf.multi_cell(
        0, 8, core_font_text(text), align="C", fill=True, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _table(pdf: FPDF, rows: Sequence[Sequence[str]], widths: Sequence[float], *, headings: bool) -> None:
    pdf.set_font(PDF_FONT, "", 10)
    with pdf.table(
        col_widths=tuple(widths),
        text_align="LEFT",
        align="LEFT",
        width=pdf.epw,
        first_row_as_headings=headings,
        line_height=_LINE + 1,
        padding=1,
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(core_font_text(cell))


def _write_title(pdf: FPDF, document: SitrepDocument) -> None:
    _paragraph(pdf, document.title, style="B", size=18, height=9)
    _paragraph(pdf, document.report_heading, style="B", size=13, height=7)
    pdf.ln(2)
    status = document.status
    if status.is_draft:
        _banner(
            pdf, f"{status.label} \N{EM DASH} {status.explanation}", fill=_DRAFT_RED, colour=(255, 255, 255)
        )
    elif status.explanation:
        _banner(pdf, f"{status.label} \N{EM DASH} {status.explanation}", fill=_NOTE_FILL, colour=(0, 0, 0))
    if document.mode_banner:
        _banner(pdf, document.mode_banner, fill=(0, 0, 0), colour=(255, 255, 255))


def _write_details(pdf: FPDF, document: SitrepDocument) -> None:
    pdf.set_font(PDF_FONT, "", 10)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(1, 3),
        text_align="LEFT",
        align="LEFT",
        width=pdf.epw,
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=_LINE + 1,
        padding=1,
    ) as table:
        for label, value in document.details:
            row = table.row()
            row.cell(core_font_text(label), style=bold)
            row.cell(core_font_text(value))


def _write_levels(pdf: FPDF, document: SitrepDocument) -> None:
    _heading(pdf, "Escalation levels per country")
    if not document.levels:
        _paragraph(pdf, "No escalation level recorded")
        return
    rows = [("Country", "Level", "Since")] + [(row.country, row.level, row.since) for row in document.levels]
    _table(pdf, rows, (1, 4, 3), headings=True)


def _write_figures(pdf: FPDF, document: SitrepDocument) -> None:
    _heading(pdf, "Figures")
    _table(pdf, [("Figure", "Number"), *document.figures], (3, 1), headings=True)


def _write_language(pdf: FPDF, block: LanguageBlock) -> None:
    _heading(pdf, block.name, size=15)
    if block.is_missing:
        pdf.set_font(PDF_FONT, "B", 11)
        pdf.set_fill_color(*_NOTE_FILL)
        pdf.multi_cell(
            0, 8, core_font_text(block.missing_note), border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        return
    for part in block.sections:
        _heading(pdf, part.heading, size=11, outline_level=None)
        if part.is_empty:
            pdf.set_text_color(*_MUTED)
            _paragraph(pdf, part.text, style="I")
            pdf.set_text_color(0, 0, 0)
        else:
            _paragraph(pdf, part.text)


def _set_metadata(pdf: FPDF, document: SitrepDocument, context: SitrepContext) -> None:
    pdf.set_title(document.document_title)
    pdf.set_subject(f"{document.report_heading}, {document.marking.text}")
    pdf.set_keywords(document.marking.text)
    pdf.set_author(context.author_partner)
    pdf.set_lang(DOCUMENT_LANGUAGE)
    pdf.set_creator("crisislink")
    pdf.set_producer("crisislink")
    # The report's own date rather than "now": the same report always renders to the same bytes.
    pdf.set_creation_date(document.created)


def render_pdf(sitrep: SitrepView, incident: IncidentView, context: SitrepContext) -> bytes:
    document = build_document(sitrep, incident, context)
    pdf = _SitrepPdf(document)
    _set_metadata(pdf, document, context)
    pdf.add_page()
    _write_title(pdf, document)
    _write_details(pdf, document)
    _write_levels(pdf, document)
    _write_figures(pdf, document)
    for block in document.languages:
        _write_language(pdf, block)
    return bytes(pdf.output())
