"""Languages of the network. User-facing text that partners write is kept per language."""

from __future__ import annotations

INTERFACE_LANGUAGES = ("en", "nl", "fr", "de")
CONTENT_LANGUAGES = ("en", "nl", "fr", "de", "lb")


def check_language(code: str) -> str:
    normalised = code.strip().lower()
    if normalised not in CONTENT_LANGUAGES:
        raise ValueError(f"unsupported language {code!r}; use one of {', '.join(CONTENT_LANGUAGES)}")
    return normalised
