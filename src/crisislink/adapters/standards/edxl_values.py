"""Values the EDXL models (RM, HAVE, DE 1.0) share: times as written, and parts kept verbatim.

`XsDateTime` keeps an xs:dateTime exactly as written. EDXL allows a time without an offset, and real messages
carry them (the XchangeCore RequestResource says `2009-06-09T13:00:00`); turning that into a naive datetime
would lose the fact that nobody knows its zone, and assuming UTC would invent one. So the text is the value,
and `moment` gives the instant only when the text names one.

`Verbatim` keeps the content of an element the models do not type (CIQ party and organisation details, xAL
addresses, GML geometry, RM's open TypeInfo, EDXL-DE's embedded documents): its attributes, its text and
each child element as exclusive canonical XML, so writing it back reproduces what was received, namespaces
included. `edxl_parts` builds and reads the common cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from lxml import etree

from crisislink.kernel.errors import InvalidInput

# The lexical space of xs:dateTime (XML Schema 1.0 part 2, 3.2.7); the schema checks the ranges.
_XS_DATETIME: Final = re.compile(
    r"(?P<main>-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?(?P<offset>Z|[+-]\d{2}:\d{2})?"
)
_MAX_OFFSET: Final = timedelta(hours=14)


def tag(name: str) -> dict[str, str]:
    """Field metadata naming the XML element, for fields whose name does not derive it."""
    return {"tag": name}


@dataclass(frozen=True)
class XsDateTime:
    """An xs:dateTime as written. Build one from an aware datetime with `XsDateTime.of`."""

    text: str

    def __post_init__(self) -> None:
        if not _XS_DATETIME.fullmatch(self.text):
            raise InvalidInput(
                f"{self.text!r} is not an xs:dateTime (YYYY-MM-DDThh:mm:ss, optional fraction and offset)"
            )

    @classmethod
    def of(cls, moment: datetime) -> XsDateTime:
        """The time of an aware datetime, written with its offset (UTC if xs:dateTime cannot carry it)."""
        offset = moment.utcoffset()
        if offset is None:
            raise InvalidInput(
                f"{moment.isoformat()} has no time zone; EDXL times are written with an offset"
            )
        # xs:dateTime offsets are whole minutes within ±14:00; anything else is written in UTC, same instant.
        if offset % timedelta(minutes=1) or abs(offset) > _MAX_OFFSET:
            moment = moment.astimezone(UTC)
        return cls(moment.isoformat())

    @property
    def has_offset(self) -> bool:
        return self._parts()[2] is not None

    @property
    def moment(self) -> datetime | None:
        """The instant, as an aware datetime; None when the text has no offset (its zone is unknown).

        Python keeps microseconds: further digits of the fraction are dropped here (never from `text`).
        """
        return self.assuming(UTC) if self.has_offset else None

    def assuming(self, zone: tzinfo) -> datetime:
        """The instant, reading a time written without an offset as a time in `zone`."""
        main, fraction, offset = self._parts()
        text = main + (f".{fraction[:6]}" if fraction else "") + ("+00:00" if offset == "Z" else offset or "")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:  # a year Python cannot hold, or 24:00:00, which xs:dateTime allows
            raise InvalidInput(f"{self.text!r} is a time Python cannot represent") from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)

    def _parts(self) -> tuple[str, str | None, str | None]:
        found = _XS_DATETIME.fullmatch(self.text)
        assert found is not None  # checked when built
        return found["main"], found["fraction"], found["offset"]


@dataclass(frozen=True)
class Verbatim:
    """The content of an element, kept exactly: attributes (Clark names), text, child elements as XML.

    Indentation is not kept: whitespace that only lays out child elements (in an element whose content is
    nothing but elements) is dropped, at every depth, so the same content indented differently is the same
    value; writers indent it again. Everything else is kept: a leaf's text as it was, mixed content whole.
    Between the direct children only layout is expected (none of the parts kept verbatim in these schemas
    is mixed content); `text` is the element's own text when it has no children or more than whitespace.
    """

    attributes: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    children: tuple[str, ...] = ()

    def elements(self) -> tuple[etree._Element, ...]:
        """The child elements, parsed again (each is a standalone document written by this module)."""
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        return tuple(etree.fromstring(child.encode(), parser) for child in self.children)

    def texts(self, *path: str) -> tuple[str, ...]:
        """The stripped texts of the elements at `path` (local names, namespaces ignored), in order.

        `organisation.texts("OrganisationName", "NameElement")` gives the name parts of a CIQ organisation.
        """
        found: list[str] = []
        for element in self.elements():
            if path and etree.QName(element).localname == path[0]:
                found.extend(_texts_below(element, path[1:]))
        return tuple(found)


def _texts_below(element: etree._Element, path: tuple[str, ...]) -> list[str]:
    if not path:
        return [(element.text or "").strip()]
    found: list[str] = []
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == path[0]:
            found.extend(_texts_below(child, path[1:]))
    return found
