"""A situation report as a standalone printable HTML document and as a PDF.

Both formats are drawn from one `SitrepDocument`, so they carry the same content in the same order.
Everything is rendered offline: the HTML embeds its stylesheet and names only locally installed fonts,
and the PDF uses the standard PDF fonts every reader has, so nothing is fetched or embedded.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crisislink.adapters.db.queries.incident_views import IncidentView, LevelView, SitrepView
from crisislink.kernel.markings import Tlp

# The headings are English: the documents are read across three language communities, and English
# is the working language all of them share. The report's own texts keep their languages.
DOCUMENT_LANGUAGE = "en"
NOTHING_TO_REPORT = "Nothing to report"

SECTIONS: tuple[tuple[str, str], ...] = (
    ("situation", "Situation"),
    ("casualties", "Casualties"),
    ("resources", "Resources"),
    ("actions", "Actions"),
    ("outlook", "Outlook"),
)
FIGURES: tuple[tuple[str, str], ...] = (
    ("dead", "Dead"),
    ("injured", "Injured"),
    ("missing", "Missing"),
    ("evacuated", "Evacuated"),
    ("displaced", "Displaced"),
)

# TLP 2.0 (FIRST): every label is coloured text on a black background; CLEAR is white.
_TLP_COLOURS: Mapping[Tlp, str] = MappingProxyType(
    {
        Tlp.CLEAR: "#FFFFFF",
        Tlp.GREEN: "#33FF00",
        Tlp.AMBER: "#FFC000",
        Tlp.AMBER_STRICT: "#FFC000",
        Tlp.RED: "#FF2B2B",
    }
)
_TLP_BACKGROUND = "#000000"


@dataclass(frozen=True)
class SitrepContext:
    """What the read models leave out: names to print, the reader's time zone, titles of codes."""

    partner_names: Mapping[uuid.UUID, str]
    author_partner: str
    timezone: str  # IANA name, e.g. "Europe/Brussels"
    hazard_title: str
    level_titles: Mapping[tuple[str, str], str]  # (country, level code) -> title


@dataclass(frozen=True)
class MarkingLabel:
    text: str  # "TLP:AMBER"
    foreground: str  # "#RRGGBB"
    background: str


@dataclass(frozen=True)
class StatusNotice:
    code: str  # draft | scheduled | published
    label: str  # what the banner and the page header say
    explanation: str
    is_draft: bool


@dataclass(frozen=True)
class LevelRow:
    country: str
    level: str
    since: str


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    is_empty: bool


@dataclass(frozen=True)
class LanguageBlock:
    code: str
    name: str  # in the language itself
    sections: tuple[Section, ...]  # empty when the text is missing

    @property
    def is_missing(self) -> bool:
        return not self.sections

    @property
    def missing_note(self) -> str:
        return f"No text in {self.name} yet"


@dataclass(frozen=True)
class SitrepDocument:
    """Everything either format prints, already worded and formatted, in reading order."""

    title: str
    report_heading: str  # "Situation report No. 3"
    marking: MarkingLabel
    status: StatusNotice
    mode_banner: str | None  # set for exercises and replays
    details: tuple[tuple[str, str], ...]
    levels: tuple[LevelRow, ...]
    figures: tuple[tuple[str, str], ...]
    languages: tuple[LanguageBlock, ...]
    created: datetime  # the report's own date, so the same report renders the same bytes

    @property
    def document_title(self) -> str:
        prefix = "DRAFT - " if self.status.is_draft else ""
        return f"{prefix}{self.title} - {self.report_heading}"


# --- Building the document -------------------------------------------------------------------------


def build_document(sitrep: SitrepView, incident: IncidentView, context: SitrepContext) -> SitrepDocument:
    zone = ZoneInfo(context.timezone)
    return SitrepDocument(
        title=incident.title,
        report_heading=f"Situation report No. {sitrep.number}",
        marking=marking_label(sitrep.marking),
        status=status_notice(sitrep, zone),
        mode_banner=mode_banner(incident.mode),
        details=details(sitrep, incident, context, zone),
        levels=level_rows(incident.levels, context.level_titles, zone),
        figures=figure_rows(sitrep.figures),
        languages=tuple(language_block(sitrep, code) for code in language_order(sitrep)),
        created=as_utc(sitrep.published_at or sitrep.created_at),
    )


def marking_label(marking: str) -> MarkingLabel:
    """The marking as TLP 2.0 prints it. An unknown marking fails: guessing one could over-share."""
    try:
        tlp = Tlp(marking)
    except ValueError:
        raise ValueError(f"cannot print a document marked {marking!r}: not a TLP 2.0 marking") from None
    return MarkingLabel(text=f"TLP:{tlp.value}", foreground=_TLP_COLOURS[tlp], background=_TLP_BACKGROUND)


def status_notice(sitrep: SitrepView, zone: ZoneInfo) -> StatusNotice:
    if sitrep.status == "draft":
        return StatusNotice("draft", "DRAFT", "Not published: the contents may still change.", True)
    if sitrep.status == "scheduled":
        when = format_moment(sitrep.publish_at, zone) if sitrep.publish_at else "a time not yet set"
        return StatusNotice(
            "scheduled", "SCHEDULED", f"Not published yet: due to be published {when}.", False
        )
    return StatusNotice(sitrep.status, sitrep.status.upper(), "", False)


def mode_banner(mode: str) -> str | None:
    """Exercises and replays must never be mistaken for a live incident, on screen or on paper."""
    if mode == "live":
        return None
    return f"{mode.upper()} \N{EM DASH} not live data"


def details(
    sitrep: SitrepView, incident: IncidentView, context: SitrepContext, zone: ZoneInfo
) -> tuple[tuple[str, str], ...]:
    lead = context.partner_names.get(incident.lead_partner_id, f"unknown partner {incident.lead_partner_id}")
    published = format_moment(sitrep.published_at, zone) if sitrep.published_at else "Not published"
    next_due = format_moment(sitrep.next_report_at, zone) if sitrep.next_report_at else "Not set"
    return (
        ("Report status", sitrep.status.capitalize()),
        ("Hazard", context.hazard_title),
        ("Incident status", incident.status.replace("_", "-")),
        ("Lead partner", lead),
        ("Written by", context.author_partner),
        ("Occurred", format_moment(incident.occurred_at, zone)),
        ("Published", published),
        ("Next report due", next_due),
    )


def level_rows(
    levels: Sequence[LevelView], titles: Mapping[tuple[str, str], str], zone: ZoneInfo
) -> tuple[LevelRow, ...]:
    """One row per country: each country's scheme is its own, so levels are never merged or ranked."""
    return tuple(
        LevelRow(
            country=level.country,
            level=titles.get((level.country, level.level), level.level),
            since=format_moment(level.at, zone),
        )
        for level in sorted(levels, key=lambda level: level.country)
    )


def figure_rows(figures: Mapping[str, int]) -> tuple[tuple[str, str], ...]:
    known = [(title, str(figures.get(key, 0))) for key, title in FIGURES]
    # Figures added after this list was written still print rather than vanish.
    extra = [
        (key.replace("_", " ").capitalize(), str(figures[key]))
        for key in sorted(figures)
        if key not in dict(FIGURES)
    ]
    return tuple(known + extra)


def language_order(sitrep: SitrepView) -> list[str]:
    """The required languages in their order, then any other texts, then any other missing ones."""
    listed = list(sitrep.languages_required)
    extra_texts = sorted(code for code in sitrep.texts if code not in listed)
    extra_missing = sorted(code for code in sitrep.missing_languages if code not in listed + extra_texts)
    return listed + extra_texts + extra_missing


def language_block(sitrep: SitrepView, code: str) -> LanguageBlock:
    text = sitrep.texts.get(code)
    sections = () if text is None else tuple(section(text, key, heading) for key, heading in SECTIONS)
    return LanguageBlock(code=code, name=language_name(code), sections=sections)


def section(text: Mapping[str, str], key: str, heading: str) -> Section:
    body = text.get(key, "").strip()
    return Section(heading=heading, text=body or NOTHING_TO_REPORT, is_empty=not body)


def language_name(code: str) -> str:
    """The language's name in itself ("Nederlands"), so its readers find their section at a glance."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def as_utc(moment: datetime) -> datetime:
    # The read models carry aware times; a naive one can only have come from the database, in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """ "14 Jul 2021 11:30 CEST (UTC+02:00)": the offset settles any doubt the abbreviation leaves."""
    local = as_utc(moment).astimezone(zone)
    stamp = format_datetime(local, "d MMM y HH:mm", tzinfo=zone, locale=DOCUMENT_LANGUAGE)
    offset = format_datetime(local, "xxx", tzinfo=zone, locale=DOCUMENT_LANGUAGE)
    abbreviation = local.tzname() or ""
    # Zones without a letter abbreviation report the offset ("-03"); printing it twice helps no one.
    if abbreviation and abbreviation[0] not in "+-":
        return f"{stamp} {abbreviation} (UTC{offset})"
    return f"{stamp} (UTC{offset})"


# --- HTML ------------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    # Loaded from the installed package, so rendering does not depend on the working directory.
    return Environment(
        loader=PackageLoader("crisislink.adapters.documents", "templates"),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(sitrep: SitrepView, incident: IncidentView, context: SitrepContext) -> str:
    document = build_document(sitrep, incident, context)
    template = _environment().get_template("sitrep.html")
    return template.render(doc=document, lang=DOCUMENT_LANGUAGE)


# --- PDF -------------------------------------------------------------------------------------------
#
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
