"""Value objects a warning is made of: its texts per language, its hazard, and the area's targeting.

The targeting is computed by the geo adapter (which countries the area touches, which languages the rules
of those places require and why, how many people live there, the codes of the regions it covers); the
domain stores it and holds the warning to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from crisislink.domains.warnings.awareness import AwarenessType
from crisislink.domains.warnings.codes import Category
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.i18n import CONTENT_LANGUAGES, check_language

MAX_HEADLINE = 160  # CAP 1.2 advises under 160 characters: it is what a phone shows first
MAX_TEXT = 4_000
MAX_SHORT = 500
LANGUAGE_NAMES = {"nl": "Dutch", "fr": "French", "de": "German", "en": "English", "lb": "Luxembourgish"}

_COUNTRY = re.compile(r"[A-Z]{2}")
_HAZARD_CODE = re.compile(r"[a-z]+(\.[a-z_]+)?")
_NOT_IN_CAP_TOKENS = re.compile(r"[\s,<&]")


def language(code: str) -> str:
    try:
        return check_language(code)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def language_name(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def ordered_languages(codes: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Languages in the network's order (en nl fr de lb), so texts and messages list them alike."""
    return tuple(code for code in CONTENT_LANGUAGES if code in codes)


def country(code: str) -> str:
    normalised = code.strip().upper()
    if not _COUNTRY.fullmatch(normalised):
        raise InvalidInput(f"{code!r} is not a country code; use two letters as in ISO 3166 (NL, BE, LU, DE)")
    return normalised


def aware(moment: datetime, what: str) -> datetime:
    """UTC; a naive time is refused, since a warning seen on both sides of a border cannot guess the zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} needs a time zone (e.g. 2021-07-14T15:00:00+02:00)")
    return moment.astimezone(UTC)


def cap_token(value: str, what: str) -> str:
    """A CAP identifier or sender: no spaces, commas, '<' or '&' (they would break `references`)."""
    if not value or _NOT_IN_CAP_TOKENS.search(value):
        raise InvalidInput(f"{what} {value!r} must be non-empty, without spaces, commas, '<' or '&'")
    return value


def _bounded(value: str, what: str, limit: int, *, required: bool = True) -> None:
    if required and not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters; shorten it")


@dataclass(frozen=True)
class WarningText:
    """What the public reads, in one language. A public warning always says what to do (instruction)."""

    headline: str
    description: str
    instruction: str
    web: str | None = None
    contact: str | None = None

    def __post_init__(self) -> None:
        _bounded(self.headline, "the headline", MAX_HEADLINE)
        if "\n" in self.headline:
            raise InvalidInput("the headline is one line; move the rest to the description")
        _bounded(self.description, "the description", MAX_TEXT)
        _bounded(self.instruction, "the instruction (what people must do)", MAX_TEXT)
        if self.web is not None and not self.web.startswith(("https://", "http://")):
            raise InvalidInput(f"the web link {self.web!r} must be a full address starting with https://")
        _bounded(self.web or "", "the web link", MAX_SHORT, required=False)
        _bounded(self.contact or "", "the contact", MAX_SHORT, required=False)


@dataclass(frozen=True)
class Hazard:
    """What the warning is about: the network's hazard code (docs/hazards.md), its CAP category and, for
    weather and flooding, the EU awareness type."""

    code: str
    category: Category
    awareness_type: AwarenessType | None = None

    def __post_init__(self) -> None:
        if not _HAZARD_CODE.fullmatch(self.code):
            raise InvalidInput(
                f"{self.code!r} is not a hazard code; use one like 'flood.river' (docs/hazards.md)"
            )

    @property
    def family(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class LanguageRule:
    """One language a place requires, and why, e.g. German for the German-speaking Community in BE."""

    language: str
    country: str
    reason: str

    def __post_init__(self) -> None:
        # Normalised in place (frozen): "DE" and " de" are the same language, "be" the same country.
        object.__setattr__(self, "language", language(self.language))
        object.__setattr__(self, "country", country(self.country))
        _bounded(self.reason, "the reason a language is required", MAX_SHORT)


@dataclass(frozen=True)
class Geocode:
    """A region the area covers, in a named system (EMMA_ID BE004, NUTS3 NL423, a municipality code)."""

    system: str
    code: str


@dataclass(frozen=True)
class Targeting:
    countries: tuple[str, ...]
    required_languages: tuple[LanguageRule, ...]
    optional_languages: tuple[str, ...] = ()
    population: int | None = None
    geocodes: tuple[Geocode, ...] = ()

    def __post_init__(self) -> None:
        if not self.countries:
            raise InvalidInput("the targeting names no country; the area must touch at least one")
        object.__setattr__(self, "countries", tuple(dict.fromkeys(country(code) for code in self.countries)))
        object.__setattr__(
            self, "optional_languages", tuple(language(code) for code in self.optional_languages)
        )
        for rule in self.required_languages:
            if rule.country not in self.countries:
                raise InvalidInput(
                    f"a {rule.language!r} rule is for {rule.country}, which is not one of the countries "
                    f"the area touches ({', '.join(self.countries)})"
                )
        if self.population is not None and self.population < 0:
            raise InvalidInput("the population estimate cannot be negative")

    def required(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.language for rule in self.required_languages))

    def why(self, code: str) -> str:
        """Why a language is required, in words a drafter can act on."""
        reasons = [rule.reason for rule in self.required_languages if rule.language == code]
        return "; ".join(reasons) or "the rules of the area"
