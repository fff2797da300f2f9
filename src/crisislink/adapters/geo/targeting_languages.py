"""Warning-area targeting: the language rules, which languages a public warning must or may carry where.

A unit belongs to the language area with the longest NUTS key that starts its NUTS3 code (DOMAIN.md §4.3);
the Belgian language facilities and English add optional languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class LanguageArea:
    """A territory whose rules fix the languages of public warnings. `key` is a NUTS code (a country's is
    its NUTS0 code); a unit belongs to the area with the longest key that starts its NUTS3 code."""

    key: str
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class LanguageRequirement:
    language: str  # ISO 639-1, as kernel.i18n.CONTENT_LANGUAGES
    reason: str


# DOMAIN.md §4.3. Belgium by language area (constitution art. 4): the Flemish Region (Voeren included) is
# Dutch, Brussels bilingual, the Walloon Region French except the German-speaking Community, which NUTS
# makes its own level-3 unit BE336 inside BE3. The order of `languages` is the order a warning lists them.
LANGUAGE_AREAS: Final = (
    LanguageArea("BE1", "the bilingual Brussels-Capital Region (BE1)", ("fr", "nl")),
    LanguageArea("BE2", "the Flemish Region, Dutch language area (BE2)", ("nl",)),
    LanguageArea("BE3", "the French language area of the Walloon Region (BE3 without BE336)", ("fr",)),
    LanguageArea("BE336", "the German-speaking Community of Belgium (BE336)", ("de",)),
    LanguageArea("NL", "the Netherlands", ("nl",)),
    LanguageArea(
        "LU", "Luxembourg (three administrative languages, law of 24 February 1984)", ("lb", "fr", "de")
    ),
    LanguageArea("DE", "Germany", ("de",)),
    LanguageArea("FR", "France", ("fr",)),
)
_LONGEST_KEY_FIRST: Final = tuple(sorted(LANGUAGE_AREAS, key=lambda area: -len(area.key)))

ENGLISH: Final = LanguageRequirement(
    "en", "optional everywhere, for visitors and residents who read no local language"
)
# Flemish municipalities with French language facilities (general knowledge; DOMAIN.md §4.3 asks to verify
# the lists): residents may ask for French, so a warning may add it.
FLEMISH_FACILITY_MUNICIPALITIES: Final = frozenset(
    {
        "73109",  # Voeren
        "73028",  # Herstappe
        "33016",  # Mesen
        "34043",  # Spiere-Helkijn
        "45041",  # Ronse
        "23009",  # Bever
        "23098",  # Drogenbos
        "23099",  # Kraainem
        "23100",  # Linkebeek
        "23101",  # Sint-Genesius-Rode
        "23102",  # Wemmel
        "23103",  # Wezembeek-Oppem
    }
)
_AT_ARRONDISSEMENT_LEVEL: Final = "whether the area reaches them cannot be told at arrondissement level"
# Walloon facility municipalities by the NUTS3 unit holding them: their own borders are not shipped.
NUTS3_FACILITIES: Final[Mapping[str, LanguageRequirement]] = MappingProxyType(
    {
        "BE336": LanguageRequirement(
            "fr", "the municipalities of the German-speaking Community have French language facilities"
        ),
        "BE335": LanguageRequirement(
            "de", f"Malmedy and Waimes (BE335) have German language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
        "BE328": LanguageRequirement(
            "nl",
            f"Comines-Warneton and Mouscron (BE328) have Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}",
        ),
        "BE32A": LanguageRequirement(
            "nl", f"Flobecq (BE32A) has Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
        "BE32C": LanguageRequirement(
            "nl", f"Enghien (BE32C) has Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
    }
)


def language_area_of(nuts3: str) -> LanguageArea:
    for area in _LONGEST_KEY_FIRST:
        if nuts3.startswith(area.key):
            return area
    raise ValueError(f"no language rule for NUTS3 unit {nuts3}")
