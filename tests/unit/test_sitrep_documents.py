"""Situation reports as HTML and PDF documents: content, order, escaping, markings, determinism."""

from __future__ import annotations

import re
import uuid
import zlib
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from crisislink.adapters.db.queries.incident_views import IncidentView, LevelView, SitrepView
from crisislink.adapters.db.queries.views import AudienceMember
from crisislink.adapters.documents.sitrep import SitrepContext, format_moment
from crisislink.adapters.documents.sitrep_html import render_html
from crisislink.adapters.documents.sitrep_pdf import core_font_text, render_pdf

LEAD = uuid.UUID("00000000-0000-0000-0000-0000000000b1")
NEIGHBOUR = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
INCIDENT_ID = uuid.UUID("00000000-0000-0000-0000-00000000c001")
TITLE = "Meuse flooding Maastricht-Vise"
# 14 Jul 2021 09:30 UTC is 11:30 summer time in Brussels.
PUBLISHED = datetime(2021, 7, 14, 9, 30, tzinfo=UTC)
NEXT_DUE = datetime(2021, 7, 14, 13, 0, tzinfo=UTC)


def level(country: str, code: str, at: datetime) -> LevelView:
    return LevelView(
        country=country,
        level=code,
        previous=None,
        at=at,
        recorded_at=at,
        by_user_id=None,
        by_partner_id=LEAD,
        reason="rising water",
    )


def incident(mode: str = "live", title: str = TITLE) -> IncidentView:
    levels = [
        level("NL", "GRIP_4", datetime(2021, 7, 14, 6, 0, tzinfo=UTC)),
        level("BE", "PROVINCIAL", datetime(2021, 7, 14, 7, 15, tzinfo=UTC)),
    ]
    return IncidentView(
        id=INCIDENT_ID,
        title=title,
        hazard="flood",
        description="River flooding along the Meuse",
        status="active",
        mode=mode,
        marking="AMBER",
        audience=[AudienceMember(kind="partner", id=NEIGHBOUR)],
        owner_partner_id=LEAD,
        home_node_id=uuid.UUID("00000000-0000-0000-0000-00000000d001"),
        lead_partner_id=LEAD,
        involved=[NEIGHBOUR],
        languages=["nl", "fr"],
        area={"type": "Point", "coordinates": [5.69, 50.85]},
        location=[5.69, 50.85],
        occurred_at=datetime(2021, 7, 13, 22, 0, tzinfo=UTC),
        declared_at=datetime(2021, 7, 13, 23, 0, tzinfo=UTC),
        declared_by=None,
        updated_at=PUBLISHED,
        reference=None,
        levels=levels,
        level_history=levels,
        version=3,
    )


def sitrep(
    status: str = "published",
    texts: dict[str, dict[str, str]] | None = None,
    missing: list[str] | None = None,
    marking: str = "AMBER",
) -> SitrepView:
    chosen_texts = (
        texts
        if texts is not None
        else {
            "nl": {
                "situation": "De Maas treedt buiten haar oevers.",
                "casualties": "",
                "resources": "Zandzakken en pompen ingezet.",
                "actions": "Evacuatie van laaggelegen wijken.",
                "outlook": "Piek verwacht rond 18:00.",
            }
        }
    )
    missing_languages = missing if missing is not None else ["fr"]
    return SitrepView(
        id=uuid.UUID("00000000-0000-0000-0000-00000000e001"),
        incident_id=INCIDENT_ID,
        owner_partner_id=LEAD,
        marking=marking,
        number=3,
        author_user_id=None,
        status=status,
        texts=chosen_texts,
        figures={"dead": 0, "injured": 4, "missing": 1, "evacuated": 1200, "displaced": 350},
        languages_required=["nl", "fr"],
        missing_languages=missing_languages,
        created_at=datetime(2021, 7, 14, 9, 0, tzinfo=UTC),
        publish_at=PUBLISHED if status != "draft" else None,
        published_at=PUBLISHED if status == "published" else None,
        next_report_at=NEXT_DUE,
        updated_at=PUBLISHED,
        version=2,
    )


def context() -> SitrepContext:
    return SitrepContext(
        partner_names={LEAD: "Veiligheidsregio Limburg-Zuid", NEIGHBOUR: "Province de Liège"},
        author_partner="Veiligheidsregio Limburg-Zuid",
        timezone="Europe/Brussels",
        hazard_title="Flood",
        level_titles={
            ("NL", "GRIP_4"): "GRIP 4: beyond one municipality",
            ("BE", "PROVINCIAL"): "Provincial phase: the governor coordinates",
        },
    )


def document(html: str) -> Any:
    return lxml.html.document_fromstring(html)


def details_of(html: str) -> dict[str, str]:
    return {
        row.xpath("string(./th)"): row.xpath("string(./td)")
        for row in document(html).xpath("//table[@class='details']/tbody/tr")
    }


# --- HTML ------------------------------------------------------------------------------------------


def test_html_is_a_standalone_document_that_parses() -> None:
    html = render_html(sitrep(), incident(), context())

    HTMLParser().feed(html)  # raises on nothing it cannot tokenise; lxml below checks the structure
    root = document(html)
    assert html.startswith("<!DOCTYPE html>")
    assert root.get("lang") == "en"
    assert root.xpath("//meta[@charset='utf-8']")
    assert root.xpath("//head/style")
    assert "@page" in html
    assert "A4" in html
    assert not root.xpath("//script")
    assert not root.xpath("//link")
    assert "http://" not in html
    assert "https://" not in html


def test_html_header_shows_title_number_and_marking_in_tlp_colours() -> None:
    root = document(render_html(sitrep(), incident(), context()))

    assert root.xpath("string(//h1)") == TITLE
    assert "Situation report No. 3" in root.xpath("string(//header)")
    (marking,) = root.xpath("//p[@class='marking']")
    assert marking.text_content() == "TLP:AMBER"
    assert "#FFC000" in marking.get("style")
    assert "#000000" in marking.get("style")


@pytest.mark.parametrize(
    ("marking", "label", "colour"),
    [
        ("CLEAR", "TLP:CLEAR", "#FFFFFF"),
        ("GREEN", "TLP:GREEN", "#33FF00"),
        ("AMBER+STRICT", "TLP:AMBER+STRICT", "#FFC000"),
        ("RED", "TLP:RED", "#FF2B2B"),
    ],
)
def test_every_tlp_marking_has_its_label_and_colour(marking: str, label: str, colour: str) -> None:
    root = document(render_html(sitrep(marking=marking), incident(), context()))

    (element,) = root.xpath("//p[@class='marking']")
    assert element.text_content() == label
    assert colour in element.get("style")


def test_unknown_marking_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match=r"not a TLP 2\.0 marking"):
        render_html(sitrep(marking="WHITE"), incident(), context())


def test_html_levels_are_one_row_per_country() -> None:
    root = document(render_html(sitrep(), incident(), context()))

    rows = [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in root.xpath("//table[@class='levels']/tbody/tr")
    ]
    assert rows == [
        ["BE", "Provincial phase: the governor coordinates", "14 Jul 2021 09:15 CEST (UTC+02:00)"],
        ["NL", "GRIP 4: beyond one municipality", "14 Jul 2021 08:00 CEST (UTC+02:00)"],
    ]


def test_html_times_are_in_the_readers_zone_with_offset() -> None:
    details = details_of(render_html(sitrep(), incident(), context()))

    assert details["Published"] == "14 Jul 2021 11:30 CEST (UTC+02:00)"
    assert details["Next report due"] == "14 Jul 2021 15:00 CEST (UTC+02:00)"
    assert details["Occurred"] == "14 Jul 2021 00:00 CEST (UTC+02:00)"


def test_winter_times_carry_the_winter_offset() -> None:
    winter = format_moment(datetime(2021, 1, 14, 9, 30, tzinfo=UTC), ZoneInfo("Europe/Brussels"))

    assert winter == "14 Jan 2021 10:30 CET (UTC+01:00)"


def test_html_figures_table() -> None:
    root = document(render_html(sitrep(), incident(), context()))

    rows = {
        row.xpath("string(./th)"): row.xpath("string(./td)")
        for row in root.xpath("//table[@class='figures']/tbody/tr")
    }
    assert rows == {"Dead": "0", "Injured": "4", "Missing": "1", "Evacuated": "1200", "Displaced": "350"}


def test_html_language_sections_in_required_order_then_extras() -> None:
    texts = {
        "de": {"situation": "Die Maas tritt über die Ufer."},
        "fr": {"situation": "La Meuse déborde."},
        "nl": {"situation": "De Maas treedt buiten haar oevers."},
    }
    root = document(render_html(sitrep(texts=texts, missing=[]), incident(), context()))

    sections = root.xpath("//section[contains(@class, 'language')]")
    assert [section.get("lang") for section in sections] == ["nl", "fr", "de"]
    assert [section.xpath("string(./h2)") for section in sections] == ["Nederlands", "Français", "Deutsch"]
    assert [h3.text_content() for h3 in sections[0].xpath("./h3")] == [
        "Situation",
        "Casualties",
        "Resources",
        "Actions",
        "Outlook",
    ]
    assert "La Meuse déborde." in sections[1].text_content()


def test_html_missing_language_is_a_visible_note() -> None:
    root = document(render_html(sitrep(missing=["fr"]), incident(), context()))

    notes = root.xpath("//*[@role='note']")
    assert [" ".join(note.text_content().split()) for note in notes] == ["No text in Français yet"]
    (french,) = root.xpath("//section[@lang='fr']")
    assert french.xpath("string(./h2)") == "Français"


def test_html_empty_section_prints_nothing_to_report() -> None:
    root = document(render_html(sitrep(), incident(), context()))

    (dutch,) = root.xpath("//section[@lang='nl']")
    casualties = dutch.xpath("./h3[.='Casualties']/following-sibling::p[1]")[0]
    assert casualties.text_content() == "Nothing to report"


def test_html_draft_is_unmistakable() -> None:
    html = render_html(sitrep(status="draft"), incident(), context())
    root = document(html)

    assert root.xpath("//p[contains(@class, 'banner-draft')]")
    assert "DRAFT" in root.xpath("string(//p[contains(@class, 'banner-draft')])")
    assert root.xpath("string(//title)").startswith("DRAFT")
    assert root.xpath("//div[@class='watermark']")
    assert details_of(html)["Published"] == "Not published"
    assert details_of(html)["Report status"] == "Draft"


def test_html_published_report_has_no_draft_marker() -> None:
    html = render_html(sitrep(status="published"), incident(), context())

    assert "DRAFT" not in html


def test_html_replay_banner_for_a_replay() -> None:
    root = document(render_html(sitrep(), incident(mode="replay"), context()))

    assert root.xpath("string(//p[contains(@class, 'banner-mode')])") == "REPLAY \N{EM DASH} not live data"


def test_html_live_incident_has_no_mode_banner() -> None:
    root = document(render_html(sitrep(), incident(mode="live"), context()))

    assert not root.xpath("//p[contains(@class, 'banner-mode')]")


def test_html_escapes_everything() -> None:
    attack = "<script>alert(1)</script>"
    texts = {"nl": {"situation": attack, "outlook": '"><img src=x onerror=alert(1)>'}}
    html = render_html(sitrep(texts=texts), incident(title=attack), context())

    assert attack not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not document(html).xpath("//script|//img")


# --- PDF -------------------------------------------------------------------------------------------


def page_text(pdf: bytes) -> bytes:
    """The decompressed content streams, where the text drawn on the pages lives."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL)
    decoded = []
    for stream in streams:
        try:
            decoded.append(zlib.decompress(stream))
        except zlib.error:
            decoded.append(stream)
    return b"\n".join(decoded)


def pdf_string(text: str) -> bytes:
    """`text` as a core-font PDF string literal writes it: Windows-1252, with ( ) and \\ escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")


def test_pdf_is_a_pdf_with_title_and_marking_on_the_page() -> None:
    pdf = render_pdf(sitrep(), incident(), context())

    assert pdf.startswith(b"%PDF-")
    text = page_text(pdf)
    assert TITLE.encode() in text
    assert b"TLP:AMBER" in text
    assert b"Situation report No. 3" in text
    assert b"No text in Fran\xe7ais yet" in text
    assert b"Nothing to report" in text
    assert pdf_string("14 Jul 2021 11:30 CEST (UTC+02:00)") in text
    assert pdf_string("Provincial phase: the governor coordinates") in text
    assert pdf_string("GRIP 4: beyond one municipality") in text


def test_pdf_marks_every_page_and_numbers_it() -> None:
    long_text = "\n".join(f"Paragraph {n}: the water keeps rising along the river." for n in range(200))
    pdf = render_pdf(sitrep(texts={"nl": {"situation": long_text}}), incident(), context())

    text = page_text(pdf)
    pages = text.count(b"Page ")
    assert pages > 1
    assert text.count(b"TLP:AMBER") >= 2 * pages  # header and footer
    # fpdf2 writes the page total, filled in at the end, as a string of its own.
    assert f"(Page {pages} of ) Tj ({pages}) Tj".encode() in text


def test_pdf_draft_and_replay_are_flagged() -> None:
    text = page_text(render_pdf(sitrep(status="draft"), incident(mode="replay"), context()))

    assert b"DRAFT" in text
    assert b"REPLAY \x97 not live data" in text  # the em dash in Windows-1252


def test_pdf_metadata() -> None:
    pdf = render_pdf(sitrep(), incident(), context())

    assert b"/Producer (crisislink)" in pdf
    assert b"/CreationDate (D:20210714093000Z" in pdf


def test_pdf_is_deterministic() -> None:
    first = render_pdf(sitrep(), incident(), context())
    second = render_pdf(sitrep(), incident(), context())

    assert first == second


def test_pdf_survives_text_outside_the_core_font() -> None:
    texts = {"nl": {"situation": "Łódź \u2013 \u201cKraków\u201d 東京 ő ✓ €5"}}
    text = page_text(render_pdf(sitrep(texts=texts), incident(), context()))

    assert b"?\xf3dz \x96 \x93Krak\xf3w\x94 ?? o ? \x805" in text


def test_core_font_text_keeps_windows_1252_and_approximates_the_rest() -> None:
    assert core_font_text("Liège \u2013 \u201cok\u201d \u2026") == "Liège \u2013 \u201cok\u201d \u2026"
    assert core_font_text("Őszi\u2011Ω") == "Oszi-?"
    assert core_font_text("a\tb\r\n") == "a    b\n"
