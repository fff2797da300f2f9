"""Languages of the network. User-facing text that partners write is kept per language."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

INTERFACE_LANGUAGES = ("en", "nl", "fr", "de")
CONTENT_LANGUAGES = ("en", "nl", "fr", "de", "lb")


def check_language(code: str) -> str:
    normalised = code.strip().lower()
    if normalised not in CONTENT_LANGUAGES:
        raise ValueError(f"unsupported language {code!r}; use one of {', '.join(CONTENT_LANGUAGES)}")
    return normalised


def localized(texts: Mapping[str, str]) -> Mapping[str, str]:
    """Validated, read-only text per language."""
    return MappingProxyType({check_language(lang): text for lang, text in texts.items()})
