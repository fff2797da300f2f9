"""The few words a channel adds to a warning's own text, in the language of that text.

A Dutch reader of a cancelled warning must not meet an English "Cancelled": the label for an Update or a
Cancel follows the text's language (its primary subtag, so nl-BE reads as nl), English when unknown. The
Luxembourgish labels await review by a native speaker, as the warning templates do.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "Update": MappingProxyType(
            {
                "en": "Update",
                "nl": "Update",
                "fr": "Mise à jour",
                "de": "Aktualisierung",
                "lb": "Aktualiséierung",
            }
        ),
        "Cancel": MappingProxyType(
            {"en": "Cancelled", "nl": "Ingetrokken", "fr": "Annulé", "de": "Aufgehoben", "lb": "Opgehuewen"}
        ),
    }
)


def primary(language: str) -> str:
    """The primary subtag of a language tag, lower case: fr-BE → fr."""
    return language.split("-", 1)[0].strip().lower()


def labelled(headline: str, msg_type: str, language: str) -> str:
    """`headline` as the public should read it for this kind of message: "Update: …", "Cancelled: …"."""
    labels = LABELS.get(msg_type)
    if labels is None:
        return headline
    return f"{labels.get(primary(language), labels['en'])}: {headline}"
