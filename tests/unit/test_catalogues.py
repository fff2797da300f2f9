"""Every user-visible string of the console is translated in Dutch, French and German, and the
compiled catalogues the application loads are up to date with their sources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "crisislink" / "locale"
LANGUAGES = ("nl", "fr", "de")
METHOD_MAP = [
    ("src/crisislink/**.py", "python"),
    ("src/crisislink/entrypoints/web/templates/**.html", "jinja2"),
]
OPTIONS = {
    "src/crisislink/entrypoints/web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _source_messages() -> Iterator[str]:
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS
    ):
        yield message[0] if isinstance(message, tuple) else message


SOURCE = sorted(set(_source_messages()))


def test_the_extraction_finds_the_console_strings() -> None:
    assert "Common operational picture" in SOURCE
    assert "Points of contact" in SOURCE
    assert len(SOURCE) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_visible_string_is_translated(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    missing = []
    for message in SOURCE:
        entry = catalogue.get(message)
        strings = (
            () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        )
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message)
    assert missing == [], (
        f"untranslated in {language}: run `python -m scripts.i18n extract update` and translate"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    for entry in catalogue:
        if not entry.id:
            continue
        source = str(entry.id[0] if isinstance(entry.id, tuple) else entry.id)
        targets = [str(t) for t in (entry.string if isinstance(entry.string, tuple) else (entry.string,))]
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == set(PLACEHOLDER.findall(source)), (language, source)


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        source = {
            _key(m.id): _key(m.string) for m in read_po(handle, locale=language) if m.id and not m.fuzzy
        }
    with (folder / "messages.mo").open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run `python -m scripts.i18n compile`"
