"""CAP (Common Alerting Protocol) messages: the model, reading CAP 1.0/1.1/1.2, writing CAP 1.2.

Every element of CAP 1.2 is a field of the frozen dataclasses below, declared in the order of the schema's
sequences, so writing fields in declaration order writes a schema-valid order. A field's CAP element name
and its lexical form (a `cap_lexical.Codec`) are in the field's metadata. Conventions:
- coordinates keep CAP's order, (lat, lon), latitude FIRST, unlike GeoJSON (see `polygon_to_geojson`);
- codes (status, scope, severity...) stay plain strings, the code lists are the tuples below: a received
  message is kept as it was, and the schema and the rules (`cap_rules`) judge it;
- identifiers, codes and times are stripped of surrounding whitespace; free text is kept verbatim;
- times are timezone-aware datetimes, written `YYYY-MM-DDThh:mm:ss±hh:mm` (never `Z`, never fractions).

Received XML is parsed with DTD loading, entity resolution and network access off, huge trees refused, a
DOCTYPE rejected outright and the size bounded; an `<?xml-stylesheet?>` is left alone, never fetched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar, cast

from lxml import etree

from crisislink.adapters.standards.cap_lexical import (
    CIRCLE,
    DECIMAL,
    INTEGER,
    POLYGON,
    REFERENCES,
    TEXT,
    TIME,
    TOKEN,
    Codec,
)

# The model's value types, defined with their lexical forms; re-exported explicitly for mypy's strict mode.
from crisislink.adapters.standards.cap_lexical import Circle as Circle  # noqa: PLC0414
from crisislink.adapters.standards.cap_lexical import Point as Point  # noqa: PLC0414
from crisislink.adapters.standards.cap_lexical import Polygon as Polygon  # noqa: PLC0414
from crisislink.adapters.standards.cap_lexical import Reference as Reference  # noqa: PLC0414
from crisislink.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from crisislink.adapters.standards.cap_validation import Report


NAMESPACE: Final = "urn:oasis:names:tc:emergency:cap:1.2"
# Namespace -> CAP version: the namespace is how a message says which CAP it is.
VERSIONS: Final[Mapping[str, str]] = {
    "http://www.incident.com/cap/1.0": "1.0",
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    NAMESPACE: "1.2",
}
XMLDSIG_NAMESPACE: Final = "http://www.w3.org/2000/09/xmldsig#"
# A real alert can carry ~900 KB of polygons; twice that leaves room and still bounds the work.
MAX_MESSAGE_BYTES: Final = 2 * 1024 * 1024
DEFAULT_LANGUAGE: Final = "en-US"  # what an info without <language> is in (CAP 1.2, 3.2.2)

# The CAP 1.2 code lists, for building messages and for the rules; the schema is what enforces them.
STATUSES: Final = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES: Final = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES: Final = ("Public", "Restricted", "Private")
CATEGORIES: Final = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other")  # fmt: skip
RESPONSE_TYPES: Final = ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None")  # fmt: skip
URGENCIES: Final = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES: Final = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES: Final = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------------------------
# The model, in schema order. `Element` metadata maps a field to its CAP element.


@dataclass(frozen=True)
class Element:
    tag: str
    codec: Codec | None  # None: the field holds nested elements of class `nested`
    nested: type[Any] | None = None
    many: bool = False  # one element per tuple item (`references` is a tuple in ONE element)


def _cap(tag: str, kind: Codec | type[Any], *, many: bool = False) -> dict[str, Element]:
    """Field metadata: the CAP element `tag`, read with a codec or as nested elements of a class."""
    if isinstance(kind, Codec):
        return {"cap": Element(tag, kind, None, many)}
    return {"cap": Element(tag, None, kind, many)}


@dataclass(frozen=True, kw_only=True)
class ValuePair:
    """A valueName/value pair: the shape of eventCode, parameter and geocode."""

    value_name: str = field(metadata=_cap("valueName", TEXT))
    value: str = field(metadata=_cap("value", TEXT))


class EventCode(ValuePair):
    """A code for the kind of event, in a named system (SAME, a national event list...)."""


class Parameter(ValuePair):
    """A system-specific value (MeteoAlarm's awareness_level and awareness_type, CAP-CP layers...)."""


class Geocode(ValuePair):
    """A code for an area, in a named system (EMMA_ID, NUTS3, SAME...)."""


@dataclass(frozen=True, kw_only=True)
class Resource:
    resource_desc: str = field(metadata=_cap("resourceDesc", TEXT))
    mime_type: str = field(metadata=_cap("mimeType", TOKEN))
    size: int | None = field(default=None, metadata=_cap("size", INTEGER))
    uri: str | None = field(default=None, metadata=_cap("uri", TOKEN))
    deref_uri: str | None = field(default=None, metadata=_cap("derefUri", TOKEN))
    digest: str | None = field(default=None, metadata=_cap("digest", TOKEN))


@dataclass(frozen=True, kw_only=True)
class Area:
    area_desc: str = field(metadata=_cap("areaDesc", TEXT))
    polygons: tuple[Polygon, ...] = field(default=(), metadata=_cap("polygon", POLYGON, many=True))
    circles: tuple[Circle, ...] = field(default=(), metadata=_cap("circle", CIRCLE, many=True))
    geocodes: tuple[Geocode, ...] = field(default=(), metadata=_cap("geocode", Geocode, many=True))
    # Altitude and ceiling are in feet above mean sea level (WGS 84), as CAP defines them.
    altitude: float | None = field(default=None, metadata=_cap("altitude", DECIMAL))
    ceiling: float | None = field(default=None, metadata=_cap("ceiling", DECIMAL))


@dataclass(frozen=True, kw_only=True)
class Info:
    # None: not given, which means en-US (`effective_language`); kept apart to write back what was received.
    language: str | None = field(default=None, metadata=_cap("language", TOKEN))
    categories: tuple[str, ...] = field(metadata=_cap("category", TOKEN, many=True))
    event: str = field(metadata=_cap("event", TEXT))
    response_types: tuple[str, ...] = field(default=(), metadata=_cap("responseType", TOKEN, many=True))
    urgency: str = field(metadata=_cap("urgency", TOKEN))
    severity: str = field(metadata=_cap("severity", TOKEN))
    certainty: str = field(metadata=_cap("certainty", TOKEN))
    audience: str | None = field(default=None, metadata=_cap("audience", TEXT))
    event_codes: tuple[EventCode, ...] = field(default=(), metadata=_cap("eventCode", EventCode, many=True))
    effective: datetime | None = field(default=None, metadata=_cap("effective", TIME))
    onset: datetime | None = field(default=None, metadata=_cap("onset", TIME))
    expires: datetime | None = field(default=None, metadata=_cap("expires", TIME))
    sender_name: str | None = field(default=None, metadata=_cap("senderName", TEXT))
    headline: str | None = field(default=None, metadata=_cap("headline", TEXT))
    description: str | None = field(default=None, metadata=_cap("description", TEXT))
    instruction: str | None = field(default=None, metadata=_cap("instruction", TEXT))
    web: str | None = field(default=None, metadata=_cap("web", TOKEN))
    contact: str | None = field(default=None, metadata=_cap("contact", TEXT))
    parameters: tuple[Parameter, ...] = field(default=(), metadata=_cap("parameter", Parameter, many=True))
    resources: tuple[Resource, ...] = field(default=(), metadata=_cap("resource", Resource, many=True))
    areas: tuple[Area, ...] = field(default=(), metadata=_cap("area", Area, many=True))

    @property
    def effective_language(self) -> str:
        return self.language or DEFAULT_LANGUAGE

    def parameter_values(self, name: str) -> tuple[str, ...]:
        """The values of the parameters called `name`, case-insensitively (real feeds vary the case)."""
        wanted = name.casefold()
        return tuple(p.value for p in self.parameters if p.value_name.strip().casefold() == wanted)


@dataclass(frozen=True, kw_only=True)
class Alert:
    identifier: str = field(metadata=_cap("identifier", TOKEN))
    sender: str = field(metadata=_cap("sender", TOKEN))
    sent: datetime = field(metadata=_cap("sent", TIME))
    status: str = field(metadata=_cap("status", TOKEN))
    msg_type: str = field(metadata=_cap("msgType", TOKEN))
    source: str | None = field(default=None, metadata=_cap("source", TEXT))
    scope: str = field(metadata=_cap("scope", TOKEN))
    restriction: str | None = field(default=None, metadata=_cap("restriction", TEXT))
    # Space-separated; an address of several words is in double quotes.
    addresses: str | None = field(default=None, metadata=_cap("addresses", TEXT))
    codes: tuple[str, ...] = field(default=(), metadata=_cap("code", TEXT, many=True))
    note: str | None = field(default=None, metadata=_cap("note", TEXT))
    references: tuple[Reference, ...] = field(default=(), metadata=_cap("references", REFERENCES))
    incidents: str | None = field(default=None, metadata=_cap("incidents", TEXT))
    infos: tuple[Info, ...] = field(default=(), metadata=_cap("info", Info, many=True))


@dataclass(frozen=True)
class ParsedCap:
    version: str  # "1.0", "1.1" or "1.2"
    alert: Alert
    received: bytes  # exactly as received: a signature is verified on these bytes
    signed: bool  # carries a ds:Signature (whether it verifies is `cap_signature.verify`'s question)


class Tree(NamedTuple):
    root: etree._Element
    version: str
    namespace: str


def spec_of(declared: dataclasses.Field[Any]) -> Element:
    return cast("Element", declared.metadata["cap"])


# ---------------------------------------------------------------------------------------------------------
# Reading.


def hardened_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    # A fresh parser each time: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
    )


def parse_tree(data: bytes, *, remove_blank_text: bool = False) -> Tree:
    """The <alert> element of `data`, parsed safely, and its CAP version; InvalidInput if it is none.

    `remove_blank_text` drops the whitespace between elements (indentation), which carries no meaning in CAP.
    """
    if not data:
        raise InvalidInput("the CAP message is empty")
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"the CAP message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB")
    try:
        root = etree.fromstring(data, hardened_parser(remove_blank_text=remove_blank_text))
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"the CAP message is not well-formed XML: {error}") from None
    # CAP needs no DTD: one in a received message is at best noise, at worst an entity attack (XXE).
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput("the CAP message has a DOCTYPE; DTDs and entities are refused")
    found = etree.QName(root)
    version = VERSIONS.get(found.namespace or "")
    if found.localname != "alert" or version is None:
        where = f"namespace {found.namespace!r}" if found.namespace else "no namespace"
        raise InvalidInput(
            f"expected a CAP alert (<alert> in namespace {', '.join(VERSIONS)}), "
            f"got <{found.localname}> in {where}"
        )
    return Tree(root, version, found.namespace or "")


def parse(data: bytes) -> ParsedCap:
    """Read a CAP 1.0, 1.1 or 1.2 message into the model (no schema check: see `validate`)."""
    tree = parse_tree(data)
    signed = tree.root.find(f"{{{XMLDSIG_NAMESPACE}}}Signature") is not None
    return ParsedCap(tree.version, alert_from_tree(tree), data, signed)


def alert_from_tree(tree: Tree) -> Alert:
    return _read(Alert, tree.root, "alert", tree)


# Compiled once: `element.xpath(...)` compiles its expression on every call, the costliest step of reading.
_OWN_TEXT = etree.XPath("text()")


def text_of(element: etree._Element) -> str:
    """The element's own text, comments and processing instructions inside it left out."""
    # The common case, without the cost of XPath: an element (not a comment) with no child node of any kind.
    if len(element) == 0 and isinstance(element.tag, str):
        return element.text or ""
    return "".join(cast("list[str]", _OWN_TEXT(element)))


def _children_by_tag(element: etree._Element, namespace: str) -> dict[str, list[etree._Element]]:
    """The child elements in `namespace` (no comments or processing instructions), by local name."""
    prefix = f"{{{namespace}}}"  # lxml's tags are "{namespace}local": slicing is cheaper than QName
    found: dict[str, list[etree._Element]] = {}
    for child in element.iterchildren(f"{prefix}*"):  # lxml picks them out in C
        found.setdefault(child.tag[len(prefix) :], []).append(child)
    return found


class _Field(NamedTuple):
    name: str
    spec: Element
    required: bool


_FIELDS: dict[type[Any], tuple[_Field, ...]] = {}


def _fields_of(cls: type[Any]) -> tuple[_Field, ...]:
    """A model class's fields with their CAP metadata, looked up once per class rather than per element."""
    if cls not in _FIELDS:  # two threads may both fill it in: with the same value
        _FIELDS[cls] = tuple(
            _Field(declared.name, spec_of(declared), declared.default is dataclasses.MISSING)
            for declared in dataclasses.fields(cls)
        )
    return _FIELDS[cls]


def _read(cls: type[_T], element: etree._Element, where: str, tree: Tree) -> _T:
    if tree.version == "1.0" and issubclass(cls, ValuePair):
        return cast("_T", _read_legacy_pair(cls, element, where))
    children = _children_by_tag(element, tree.namespace)
    values: dict[str, Any] = {}
    for name, spec, required in _fields_of(cls):
        found = children.get(spec.tag)
        if found is None:
            if required:
                raise InvalidInput(f"{where}: <{spec.tag}> is required")
            continue  # the field's default: None, or () for a repeated element
        read = [
            _read_value(spec, child, f"{where}/{spec.tag}[{i}]", tree) for i, child in enumerate(found, 1)
        ]
        values[name] = tuple(read) if spec.many else read[0]
    build: Callable[..., _T] = cls
    return build(**values)


def _read_value(spec: Element, element: etree._Element, where: str, tree: Tree) -> Any:
    if spec.nested is not None:
        return _read(spec.nested, element, where, tree)
    assert spec.codec is not None  # an Element has a codec or a nested class
    return spec.codec.read(text_of(element), where)


def _read_legacy_pair(cls: type[ValuePair], element: etree._Element, where: str) -> ValuePair:
    # CAP 1.0 wrote a pair as one text, "valueName=value".
    name, equals, value = text_of(element).partition("=")
    if not equals:
        raise InvalidInput(f"{where}: {text_of(element)!r} is not valueName=value (CAP 1.0)")
    return cls(value_name=name.strip(), value=value.strip())


# ---------------------------------------------------------------------------------------------------------
# Writing.


def to_xml(alert: Alert) -> bytes:
    """The alert as CAP 1.2 XML (UTF-8, with declaration), elements in schema order.

    Raises InvalidInput for values XML or CAP cannot carry (naive times, NaN, control characters). It does
    not validate: `validate` the result where the values may come from outside the platform.
    """
    default_namespace: dict[Any, str] = {None: NAMESPACE}  # the stubs do not know None means default
    root = etree.Element(f"{{{NAMESPACE}}}alert", nsmap=default_namespace)
    _write(root, alert, "alert")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write(parent: etree._Element, value: object, where: str) -> None:
    for declared in dataclasses.fields(cast("Any", value)):
        spec = spec_of(declared)
        current = getattr(value, declared.name)
        items = current if spec.many else (() if current in (None, ()) else (current,))
        for index, item in enumerate(items, 1):
            here = f"{where}/{spec.tag}[{index}]"
            child = etree.SubElement(parent, f"{{{NAMESPACE}}}{spec.tag}")
            if spec.nested is not None:
                _write(child, item, here)
            else:
                assert spec.codec is not None
                _set_text(child, spec.codec.write(item, here), here)


def _set_text(element: etree._Element, text: str, where: str) -> None:
    try:
        element.text = text
    except ValueError:  # lxml refuses NUL and the other characters XML 1.0 cannot hold
        raise InvalidInput(f"{where}: the text contains characters XML cannot carry") from None


# ---------------------------------------------------------------------------------------------------------
# GeoJSON: [lon, lat] order, the reverse of CAP's.


def polygon_to_geojson(polygon: Sequence[Point]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in polygon]]}


def polygon_from_geojson(geometry: Mapping[str, Any]) -> Polygon:
    """A GeoJSON Polygon as a CAP polygon; CAP has no holes, so a polygon with holes is refused."""
    rings = geometry.get("coordinates")
    if geometry.get("type") != "Polygon" or not isinstance(rings, list) or len(rings) != 1:
        raise InvalidInput("a CAP polygon is a GeoJSON Polygon with one ring (CAP polygons have no holes)")
    return tuple((float(position[1]), float(position[0])) for position in rings[0])


def validate(data: bytes) -> Report:
    """Schema, rules and signature of a received message, never raising for bad input: see `cap_validation`."""
    # Imported here: the rules are written against this module's model, so they import it, not the reverse.
    from crisislink.adapters.standards import cap_validation

    return cap_validation.validate(data)
