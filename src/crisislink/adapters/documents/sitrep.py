"""A situation report as a document: everything a printed report shows, already worded, in reading order.

The printable HTML page (`sitrep_html`) and the PDF (`sitrep_pdf`) are both drawn from one
`SitrepDocument`, so they carry the same content in the same order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime

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
