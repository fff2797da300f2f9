"""Interface languages (EN, NL, FR, DE) with gettext catalogues, and unambiguous local times."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_datetime
from babel.support import NullTranslations, Translations

from crisislink.kernel.i18n import INTERFACE_LANGUAGES

DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch"}


def locale_dir() -> Path:
    return Path(str(resources.files("crisislink").joinpath("locale")))


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(dirname=str(locale_dir()), locales=[language], domain="messages")


def _accepted(header: str) -> list[str]:
    """Languages of an Accept-Language header, best first (q-values honoured)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted) if tag != "*"]


def negotiate(chosen: str | None, preferred: str | None, accept_language: str | None) -> str:
    """The explicit choice, else the user's preference, else the browser's, else English."""
    for candidate in (chosen, preferred):
        if candidate in INTERFACE_LANGUAGES:
            return candidate
    for tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in INTERFACE_LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Brussels")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Brussels")


def local_time(moment: datetime, timezone: str | None, language: str) -> str:
    """E.g. '27 nov. 2026 14:05 (UTC+01:00)': always with the offset, never ambiguous."""
    tz = zone(timezone)
    text = format_datetime(moment, "medium", tzinfo=tz, locale=Locale.parse(language))
    offset = moment.astimezone(tz).strftime("%z")
    return f"{text} (UTC{offset[:3]}:{offset[3:]})"
