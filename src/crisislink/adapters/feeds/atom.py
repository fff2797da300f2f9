"""Reading an Atom feed (RFC 4287) of CAP messages: for each entry, its CAP inside or the link to it.

Two shapes are met in practice:
- the whole CAP `<alert>` inside the entry, usually in `<content>` (Google's and the NWS's feeds);
- a link to the CAP message, `type="application/cap+xml"` (MeteoAlarm), or an enclosure. MeteoAlarm's
  entries also carry `cap:` summary elements (identifier, sent, areaDesc...), one entry per area; those
  are no CAP message (no sender, no info) and are used only to recognise a message stored already.

The feed is parsed like a received CAP message: no DTD, no entities, no network, a DOCTYPE refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urljoin

from lxml import etree

from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_lexical import read_time
from crisislink.domains.warnings.external_ports import FeedUnavailable
from crisislink.domains.warnings.external_values import EntrySummary
from crisislink.kernel.clock import ensure_utc
from crisislink.kernel.errors import InvalidInput

ATOM: Final = "http://www.w3.org/2005/Atom"
CAP_TYPE: Final = "application/cap+xml"
_NAME_CHARS: Final = 100
_XML_TYPES: Final = frozenset({CAP_TYPE, "text/xml", "application/xml"})


@dataclass(frozen=True)
class AtomEntry:
    name: str  # how the entry is named in reports: its title, or its id
    embedded: bytes | None  # the CAP message carried inside the entry
    link: str | None  # where its CAP message is, absolute
    summary: EntrySummary | None  # (identifier, sent), where the entry states them


def parse_feed(data: bytes, base_url: str) -> list[AtomEntry]:
    root = _feed_root(data)
    return [_entry(element, base_url) for element in root.iterfind(f"{{{ATOM}}}entry")]


def _feed_root(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, cap.hardened_parser())
    except etree.XMLSyntaxError as error:
        raise FeedUnavailable(f"the feed is not well-formed XML: {error}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise FeedUnavailable("the feed has a DOCTYPE; DTDs and entities are refused")
    name = etree.QName(root)
    if name.namespace != ATOM or name.localname != "feed":
        raise FeedUnavailable(
            f"not an Atom feed (its root is <{name.localname}>); give the URL of an Atom feed"
        )
    return root


def _entry(element: etree._Element, base_url: str) -> AtomEntry:
    return AtomEntry(_name(element), _embedded(element), _link(element, base_url), _summary(element))


def _text(element: etree._Element, tag: str) -> str:
    found = element.find(f"{{{ATOM}}}{tag}")
    return "" if found is None else cap.text_of(found).strip()


def _name(element: etree._Element) -> str:
    name = _text(element, "title") or _text(element, "id") or "an untitled entry"
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _is_cap_alert(element: etree._Element) -> bool:
    name = etree.QName(element)
    return name.localname == "alert" and (name.namespace or "") in cap.VERSIONS


def _embedded(element: etree._Element) -> bytes | None:
    for child in element.iter():
        if isinstance(child.tag, str) and _is_cap_alert(child):
            return etree.tostring(child, encoding="UTF-8", xml_declaration=True)
    content = element.find(f"{{{ATOM}}}content")
    if content is not None and len(content) == 0 and (content.get("type") or "").strip() in _XML_TYPES:
        # CAP written as escaped text in an XML-typed content: parsed (hardened) and validated like any other.
        text = cap.text_of(content).strip()
        return text.encode("utf-8") if text.startswith("<") else None
    return None


def _link(element: etree._Element, base_url: str) -> str | None:
    links = element.findall(f"{{{ATOM}}}link")
    chosen = next((link for link in links if (link.get("type") or "").strip() == CAP_TYPE), None)
    if chosen is None:
        chosen = next((link for link in links if link.get("rel") == "enclosure"), None)
    href = None if chosen is None else (chosen.get("href") or "").strip()
    return urljoin(base_url, href) if href else None


def _summary(element: etree._Element) -> EntrySummary | None:
    said: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and (etree.QName(child).namespace or "") in cap.VERSIONS:
            said[etree.QName(child).localname] = cap.text_of(child).strip()
    identifier, sent = said.get("identifier"), _time(said.get("sent", ""))
    return (identifier, sent) if identifier and sent else None


def _time(text: str) -> datetime | None:
    try:
        return ensure_utc(read_time(text, "cap:sent"))
    except InvalidInput:
        return None
