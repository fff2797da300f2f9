"""The public Atom 1.0 feed (RFC 4287) of issued public warnings, in the way MeteoAlarm and Google publish CAP.

One entry per CAP message, in every feed: CAP aggregators (MeteoAlarm, Google Public Alerts, WMO's alert
hub) read an entry as one message and fetch the CAP it links, so one entry per language would make them
fetch the same message several times. The entry links `rel="alternate"` to the CAP message with type
`application/cap+xml`, and to the public page in each language it carries (`text/html` with `hreflang`;
RFC 4287 allows several alternates that differ in type or language). Its cap: elements (CAP 1.2 names)
let a reader filter without fetching the message.

* The all-languages feed (`language=None`): the title and summary are in the message's first language.
* A per-language feed (`language="nl"`): only the messages with a text in that language (RFC 4647 basic
  filtering: "nl" takes nl, nl-BE and nl-NL), titled and summarised in it, linking that language's page.

Only Actual messages appear: an exercise, test, draft or system message is dropped here whatever the
caller passes. Entry ids are `urn:uuid:` names derived from sender, identifier and language, so they stay
the same when the public site moves (RFC 4287 forbids an id to change).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from lxml import etree

from crisislink.adapters.channels.base import ACTUAL, CAP_STATUSES, PUBLIC_MSG_TYPES
from crisislink.adapters.channels.wording import labelled

ATOM: Final = "http://www.w3.org/2005/Atom"
CAP12: Final = "urn:oasis:names:tc:emergency:cap:1.2"
XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
CAP_MEDIA_TYPE: Final = "application/cap+xml"
FEED_MEDIA_TYPE: Final = "application/atom+xml"
GENERATOR: Final = "crisislink"
# Fixed for ever: entry ids are uuid5 names in it, and a reader tells entries apart by id.
ENTRY_NAMESPACE: Final = uuid.UUID("bc7a6118-e776-46bf-892d-3e47fe9ccf01")
# Characters XML 1.0 cannot carry; a stray control character must not take the public feed down.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedText:
    language: str
    headline: str
    summary: str
    page_url: str


@dataclass(frozen=True)
class FeedEntry:
    """One issued CAP message as the feed shows it."""

    warning_id: uuid.UUID
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    status: str
    cap_url: str  # where the public fetches the CAP message itself
    texts: tuple[FeedText, ...]
    area_description: str
    expires: datetime | None = None
    severity: str | None = None
    urgency: str | None = None
    certainty: str | None = None
    sender_name: str | None = None  # shown as the author; the sender's address otherwise

    def __post_init__(self) -> None:
        if self.status not in CAP_STATUSES:
            raise ValueError(f"status {self.status!r} is not a CAP status")
        if self.msg_type not in PUBLIC_MSG_TYPES:
            raise ValueError(f"msgType {self.msg_type!r} is not for the public feed")
        if not self.texts:
            raise ValueError(f"the message {self.identifier} has no text for the feed")
        languages = [text.language for text in self.texts]
        if len(set(languages)) != len(languages):
            raise ValueError(f"one text per language, got {', '.join(languages)}")
        for moment in (self.sent, self.expires):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"the times of {self.identifier} need a time zone")


def atom_feed(
    entries: Sequence[FeedEntry],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    updated: datetime,
    language: str | None,
    author: str | None = None,
    home_url: str | None = None,
) -> bytes:
    """The feed of the Actual messages among `entries`, newest first; in `language` only when given."""
    namespaces: dict[Any, str] = {None: ATOM, "cap": CAP12}  # the stubs do not know None means default
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=namespaces)
    if language is not None:
        feed.set(XML_LANG, language)
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", atom_time(updated))
    _add(feed, "generator", GENERATOR)
    if author:
        _add(_add(feed, "author"), "name", author)
    _link(feed, self_url, rel="self", kind=FEED_MEDIA_TYPE)
    if home_url:
        _link(feed, home_url, rel="alternate", kind="text/html")
    for entry in sorted(entries, key=lambda item: (item.sent, item.identifier), reverse=True):
        texts = _texts_for(entry, language)
        if entry.status == ACTUAL and texts:
            feed.append(_entry(entry, texts, language))
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def matches(tag: str, language: str) -> bool:
    """RFC 4647 basic filtering: the range "nl" matches the tags nl, nl-BE and nl-NL."""
    tag, language = tag.lower(), language.lower()
    return tag == language or tag.startswith(language + "-")


def atom_time(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom dates are best read."""
    if moment.utcoffset() is None:
        raise ValueError("an Atom date needs a time zone")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_id(entry: FeedEntry, language: str | None) -> str:
    name = f"{entry.sender} {entry.identifier} {language or '*'}"
    return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, name)}"


def _texts_for(entry: FeedEntry, language: str | None) -> tuple[FeedText, ...]:
    """Every text for the all-languages feed; the first text in `language` for its own feed."""
    if language is None:
        return entry.texts
    return next(((text,) for text in entry.texts if matches(text.language, language)), ())


def _entry(entry: FeedEntry, texts: tuple[FeedText, ...], language: str | None) -> etree._Element:
    first = texts[0]
    element = etree.Element(f"{{{ATOM}}}entry")
    element.set(XML_LANG, first.language)
    _add(element, "id", entry_id(entry, language))
    _add(element, "title", labelled(first.headline, entry.msg_type, first.language))
    _add(element, "updated", atom_time(entry.sent))  # a CAP message never changes: a new one is a new entry
    _add(element, "published", atom_time(entry.sent))
    _add(_add(element, "author"), "name", entry.sender_name or entry.sender)
    if first.summary.strip():
        _add(element, "summary", first.summary)
    _link(element, entry.cap_url, rel="alternate", kind=CAP_MEDIA_TYPE)
    for text in texts:
        _link(
            element,
            text.page_url,
            rel="alternate",
            kind="text/html",
            hreflang=text.language,
            title=text.headline,
        )
    _cap_elements(element, entry)
    return element


def _cap_elements(element: etree._Element, entry: FeedEntry) -> None:
    """The message's key fields as simple cap: extension elements, as MeteoAlarm's feed carries them."""
    fields = (
        ("identifier", entry.identifier),
        ("sender", entry.sender),
        ("sent", entry.sent.isoformat(timespec="seconds")),
        ("status", entry.status),
        ("msgType", entry.msg_type),
        ("expires", entry.expires.isoformat(timespec="seconds") if entry.expires else None),
        ("severity", entry.severity),
        ("urgency", entry.urgency),
        ("certainty", entry.certainty),
        ("areaDesc", entry.area_description),
    )
    for name, value in fields:
        if value:
            etree.SubElement(element, f"{{{CAP12}}}{name}").text = _xml_text(value)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    if text is not None:
        child.text = _xml_text(text)
    return child


def _link(
    parent: etree._Element,
    href: str,
    *,
    rel: str,
    kind: str,
    hreflang: str | None = None,
    title: str | None = None,
) -> None:
    link = etree.SubElement(parent, f"{{{ATOM}}}link", href=_xml_text(href), rel=rel, type=kind)
    if hreflang:
        link.set("hreflang", hreflang)
    if title:
        link.set("title", _xml_text(title))


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)
