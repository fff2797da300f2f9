"""EMSI messages (Emergency Management Shared Information, ISO/TR 22351): model, XML and JSON forms, schema.

An EMSI message is CONTEXT + EVENT + MISSION* + RESOURCE*. This module models every element of the EMSI
1.9 schema (namespace `urn:emergency:eda:1.9:emsi`) as frozen dataclasses, so a received message can be
written back without losing anything, and reads and writes the XML form and reads the JSON form.

The schema is `schemas/emsi/EMSI.xsd`, an unchanged copy of `src/main/resources/xsd/EMSI.xsd` from
github.com/ansforge/SAMU-Hub-Modeles at e3d4411b2f30 (Apache-2.0): the French health hub's EMSI profile,
which is what the real messages we receive follow. The product never reads it from anywhere else.

Conventions of the model:
- one dataclass per complex type of the schema; attributes are the element names in lower case (`long`
  is EMSI's name for the longitude), declared in the order of the schema's sequences, so writing them in
  declaration order writes a valid order;
- an element that may repeat is a tuple with a plural name; its EMSI name is in the field's metadata;
- codes stay plain strings: the published code lists disagree with the schema (MODE `EXCERCS` against
  `EXERCS`, RISK_ASSESMENT `INCREA` against `NCREA`), so the schema decides what is valid and mappings to
  crisislink's own vocabulary are tables (see `emsi_incidents`);
- times are timezone-aware datetimes, written as xs:dateTime with an offset; a received time without one
  is refused, because nobody can tell which zone it meant;
- decimals (coordinates, heights, quantities) are floats, written in plain notation (xs:decimal has no
  exponent).

Received XML is parsed with entity resolution, DTD loading and network access off, huge trees refused and
a DOCTYPE rejected outright, then validated against the schema before anything is read from it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import typing
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, Final, TypeVar

from lxml import etree

from crisislink.kernel.errors import InvalidInput

NAMESPACE: Final = "urn:emergency:eda:1.9:emsi"
SCHEMA_PACKAGE: Final = "crisislink.adapters.standards"
SCHEMA_PATH: Final = "schemas/emsi/EMSI.xsd"
# Real EMSI messages are a few kilobytes; even one with long polygons stays far below this.
MAX_MESSAGE_BYTES: Final = 5 * 1024 * 1024
# How many schema errors an error message quotes; all of them are on the exception.
QUOTED_ERRORS: Final = 10

_E = TypeVar("_E")


def _tag(name: str) -> dict[str, str]:
    """Field metadata naming the EMSI element, for fields whose Python name is not the element's."""
    return {"tag": name}


# ---------------------------------------------------------------------------------------------------------
# The model, in schema order.


@dataclass(frozen=True, kw_only=True)
class Coord:
    lat: float
    long: float
    height: float | None = None


@dataclass(frozen=True, kw_only=True)
class Position:
    """A place: TYPE says how to read the COORD list (POINT: one, POLYGON: a closed ring, ...)."""

    loc_id: str | None = None
    name: str | None = None
    type: str | None = None
    height_role: str | None = None
    coordsys: str | None = None
    coords: tuple[Coord, ...] = field(default=(), metadata=_tag("COORD"))
    addresses: tuple[str, ...] = field(default=(), metadata=_tag("ADDRESS"))


@dataclass(frozen=True, kw_only=True)
class Link:
    id: str
    link_role: str | None = None


@dataclass(frozen=True, kw_only=True)
class Origin:
    org_id: str | None = None
    user_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExternalInfo:
    freetext: str | None = None
    uri: str
    type: str | None = None


@dataclass(frozen=True, kw_only=True)
class Context:
    id: str
    mode: str
    msgtype: str
    creation: datetime | None = None
    links: tuple[Link, ...] = field(default=(), metadata=_tag("LINK"))
    level: str | None = None
    seclass: str | None = None
    freetext: str | None = None
    origin: Origin | None = None
    external_infos: tuple[ExternalInfo, ...] = field(default=(), metadata=_tag("EXTERNAL_INFO"))
    urgency: str | None = None


@dataclass(frozen=True, kw_only=True)
class Etype:
    categories: tuple[str, ...] = field(metadata=_tag("CATEGORY"))
    actors: tuple[str, ...] = field(metadata=_tag("ACTOR"))
    loctypes: tuple[str, ...] = field(metadata=_tag("LOCTYPE"))
    env: str | None = None


@dataclass(frozen=True, kw_only=True)
class Reference:
    org_id: str
    other_event_ids: tuple[str, ...] = field(metadata=_tag("OTHER_EVENT_ID"))


@dataclass(frozen=True, kw_only=True)
class Casualties:
    context: str
    datime: datetime | None = None
    decont: int | None = None
    triagered: int | None = None
    triageyellow: int | None = None
    triagegreen: int | None = None
    triageblack: int | None = None
    missing: int | None = None


@dataclass(frozen=True, kw_only=True)
class Evac:
    datime: datetime | None = None
    displaced: int | None = None
    evacuated: int | None = None


@dataclass(frozen=True, kw_only=True)
class Egeo:
    datime: datetime | None = None
    type: str | None = None
    weather: tuple[str, ...] = ()
    freetext: str | None = None
    position: Position | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    id: str
    name: str | None = None
    main_event_id: str | None = None
    etype: Etype | None = None
    source: str | None = None
    scale: str | None = None
    certainty: int | None = None
    decl_datime: datetime | None = None
    occ_datime: datetime | None = None
    obs_datime: datetime | None = None
    status: str | None = None
    risk_assesment: str | None = None  # sic: the schema's spelling
    references: tuple[Reference, ...] = field(default=(), metadata=_tag("REFERENCE"))
    casualties: tuple[Casualties, ...] = ()
    evacs: tuple[Evac, ...] = field(default=(), metadata=_tag("EVAC"))
    egeos: tuple[Egeo, ...] = field(default=(), metadata=_tag("EGEO"))
    cause: str | None = None
    freetext: str | None = None


@dataclass(frozen=True, kw_only=True)
class Mission:
    type: str
    freetext: str | None = None
    id: str
    org_id: str | None = None
    name: str
    status: str
    start_time: datetime | None = None
    end_time: datetime | None = None
    resource_ids: tuple[str, ...] = field(default=(), metadata=_tag("RESOURCE_ID"))
    parent_mission_ids: tuple[str, ...] = field(default=(), metadata=_tag("PARENT_MISSION_ID"))
    child_mission_ids: tuple[str, ...] = field(default=(), metadata=_tag("CHILD_MISSION_ID"))
    main_mission_id: str | None = None
    position: Position | None = None
    priority: str | None = None


@dataclass(frozen=True, kw_only=True)
class Rtype:
    rclasses: tuple[str, ...] = field(metadata=_tag("RCLASS"))
    capabilities: tuple[str, ...] = field(default=(), metadata=_tag("CAPABILITY"))
    characteristics: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Rgeo:
    datime: datetime | None = None
    type: str
    freetext: str | None = None
    id: str | None = None
    positions: tuple[Position, ...] = field(default=(), metadata=_tag("POSITION"))


@dataclass(frozen=True, kw_only=True)
class Contact:
    type: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class Resource:
    rtype: Rtype
    id: str
    org_id: str | None = None
    name: str
    freetext: str | None = None
    rgeos: tuple[Rgeo, ...] = field(default=(), metadata=_tag("RGEO"))
    quantity: float | None = None
    um: str | None = None
    status: str
    nationality: str | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EmsiMessage:
    context: Context
    event: Event
    missions: tuple[Mission, ...] = field(default=(), metadata=_tag("MISSION"))
    resources: tuple[Resource, ...] = field(default=(), metadata=_tag("RESOURCE"))


class SchemaViolation(InvalidInput):
    """A message the EMSI schema rejects; `errors` are the schema validator's messages, all of them."""

    def __init__(self, what: str, errors: tuple[str, ...]) -> None:
        quoted = "; ".join(errors[:QUOTED_ERRORS])
        more = f" (and {len(errors) - QUOTED_ERRORS} more)" if len(errors) > QUOTED_ERRORS else ""
        super().__init__(f"{what} does not match the EMSI schema: {quoted}{more}")
        self.errors = errors


# ---------------------------------------------------------------------------------------------------------
# How the dataclasses map to elements: derived once per class from the annotations above.


@dataclass(frozen=True)
class _Field:
    name: str  # the Python attribute
    tag: str  # the EMSI element
    kind: Any  # str, int, float, datetime, or a model dataclass
    repeated: bool
    required: bool


_FIELDS: dict[type[Any], tuple[_Field, ...]] = {}


def _fields_of(cls: type[Any]) -> tuple[_Field, ...]:
    known = _FIELDS.get(cls)
    if known is None:  # threads racing here derive the same value; the last write wins, harmlessly
        hints = typing.get_type_hints(cls)
        known = tuple(_field_of(declared, hints[declared.name]) for declared in dataclasses.fields(cls))
        _FIELDS[cls] = known
    return known


def _field_of(declared: dataclasses.Field[Any], hint: Any) -> _Field:
    repeated = typing.get_origin(hint) is tuple
    if repeated:
        kind = typing.get_args(hint)[0]
    else:
        kinds = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        kind = kinds[0] if kinds else hint
    required = declared.default is dataclasses.MISSING and declared.default_factory is dataclasses.MISSING
    return _Field(
        declared.name, declared.metadata.get("tag", declared.name.upper()), kind, repeated, required
    )


def _is_element(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _occurrences(spec: _Field, value: Any) -> tuple[Any, ...]:
    if spec.repeated:
        return tuple(value)
    return () if value is None else (value,)


def _join(path: str, tag: str) -> str:
    return f"{path}/{tag}" if path else tag


# ---------------------------------------------------------------------------------------------------------
# Lexical forms.


def decimal_text(value: float, where: str = "a decimal") -> str:
    """An xs:decimal's text for a float: plain notation, no exponent, no trailing zeros."""
    if not math.isfinite(value):
        raise InvalidInput(f"{where}: {value} is not a number EMSI can carry")
    # repr() is the shortest text that reads back as the same float; Decimal drops the exponent form.
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _datetime_text(moment: datetime, where: str) -> str:
    offset = moment.utcoffset()
    if offset is None:
        raise InvalidInput(f"{where}: {moment.isoformat()} has no time zone; EMSI times carry their offset")
    # xs:dateTime offsets are whole minutes within ±14:00; anything else is written in UTC, same instant.
    if offset % timedelta(minutes=1) or abs(offset) > timedelta(hours=14):
        moment = moment.astimezone(UTC)
    return moment.isoformat()


def _lexical(kind: Any, value: Any, where: str) -> str:
    if kind is float:
        return decimal_text(value, where)
    if kind is datetime:
        return _datetime_text(value, where)
    return str(value)


def _aware(moment: datetime, text: str, where: str) -> datetime:
    if moment.utcoffset() is None:
        raise InvalidInput(f"{where}: {text!r} has no UTC offset, so nobody can tell which time it means")
    return moment


_KIND_NAMES: Final[dict[Any, str]] = {
    str: "a string",
    int: "an integer",
    float: "a decimal number",
    datetime: "a date and time with offset (xs:dateTime)",
}


def _scalar_from_text(kind: Any, text: str, where: str) -> Any:
    if kind is str:
        return text  # xs:string keeps its whitespace
    stripped = text.strip()
    try:
        if kind is int:
            return int(stripped)
        if kind is float:  # the schema's xs:decimal has no NaN or infinity, so float() reads only numbers
            return float(stripped)
        if kind is datetime:
            return _aware(datetime.fromisoformat(stripped), stripped, where)
    except ValueError:
        raise InvalidInput(f"{where}: {text!r} is not {_KIND_NAMES[kind]}") from None
    raise TypeError(f"no reader for {kind!r}")


# ---------------------------------------------------------------------------------------------------------
# Writing XML.


def _qualified(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def to_xml(message: EmsiMessage) -> bytes:
    """The message as namespaced EMSI XML (UTF-8, with declaration), elements in schema order.

    Raises InvalidInput for values XML or EMSI cannot carry (control characters, naive times, NaN). It does
    not validate: call `validate` on the result where the codes may come from outside the platform.
    """
    default_namespace: dict[Any, str] = {None: NAMESPACE}  # the stubs do not know None means default
    root = etree.Element(_qualified("emsi"), nsmap=default_namespace)
    _write_children(root, message, "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_children(parent: etree._Element, element: Any, path: str) -> None:
    for spec in _fields_of(type(element)):
        for value in _occurrences(spec, getattr(element, spec.name)):
            child = etree.SubElement(parent, _qualified(spec.tag))
            where = _join(path, spec.tag)
            if _is_element(spec.kind):
                _write_children(child, value, where)
            else:
                _write_text(child, _lexical(spec.kind, value, where), where)


def _write_text(element: etree._Element, text: str, where: str) -> None:
    try:
        element.text = text
    except ValueError:  # lxml refuses NUL and other characters XML 1.0 cannot hold
        raise InvalidInput(f"{where}: the text contains characters XML cannot carry") from None


# ---------------------------------------------------------------------------------------------------------
# The schema, compiled once on first use.


class _Schema:
    """The compiled EMSI schema. Compiling is deferred to first use: most processes never see EMSI."""

    def __init__(self) -> None:
        self._compiled: etree.XMLSchema | None = None
        self._compiling = threading.Lock()
        # An XMLSchema keeps the errors of its last run in one log of its own: runs must not interleave.
        self._validating = threading.Lock()

    def compiled(self) -> etree.XMLSchema:
        if self._compiled is None:
            with self._compiling:
                if self._compiled is None:
                    source = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_PATH).read_bytes()
                    self._compiled = etree.XMLSchema(etree.fromstring(source, _hardened_parser()))
        return self._compiled

    def errors(self, document: etree._Element, *, with_lines: bool) -> tuple[str, ...]:
        schema = self.compiled()
        with self._validating:
            if schema.validate(document):
                return ()
            return tuple(
                f"line {entry.line}: {entry.message}" if with_lines else entry.message
                for entry in typing.cast("Iterable[Any]", schema.error_log)  # iterable; the stubs omit it
            )


_SCHEMA = _Schema()


# ---------------------------------------------------------------------------------------------------------
# Reading XML.


def _hardened_parser() -> etree.XMLParser:
    # A fresh parser each time: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
    )


def _check_size(data: bytes) -> None:
    if not data:
        raise InvalidInput("the EMSI message is empty")
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"the EMSI message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB")


def _emsi_root(data: bytes) -> etree._Element:
    """The <emsi> element of `data`, parsed safely; InvalidInput says what is wrong otherwise."""
    _check_size(data)
    return _checked_root(data)


def _checked_root(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _hardened_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"the EMSI message is not well-formed XML: {error}") from None
    # EMSI needs no DTD; one in a received message is at best noise and at worst an entity bomb.
    # lxml reports an internal DTD for any DOCTYPE, even one without an internal subset.
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput("the EMSI message has a DOCTYPE; DTDs and entities are refused")
    if root.tag != _qualified("emsi"):
        found = etree.QName(root)
        namespace = f"namespace {found.namespace!r}" if found.namespace else "no namespace"
        raise InvalidInput(
            f"expected an EMSI message (<emsi> in namespace {NAMESPACE!r}), "
            f"got <{found.localname}> in {namespace}"
        )
    return root


def _assert_valid(root: etree._Element, what: str, *, with_lines: bool) -> None:
    errors = _SCHEMA.errors(root, with_lines=with_lines)
    if errors:
        raise SchemaViolation(what, errors)


def validate(xml: bytes) -> None:
    """Check EMSI XML against the schema; InvalidInput (a SchemaViolation for schema errors) if it fails."""
    _assert_valid(_emsi_root(xml), "the EMSI message", with_lines=True)


def parse_xml(data: bytes) -> EmsiMessage:
    """Read an EMSI XML message, validated against the schema first."""
    root = _emsi_root(data)
    _assert_valid(root, "the EMSI message", with_lines=True)
    return _read_xml(EmsiMessage, root, "")


def _read_xml(cls: type[_E], element: etree._Element, path: str) -> _E:
    children: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions carry no data
            children.setdefault(etree.QName(child).localname, []).append(child)
    values: dict[str, Any] = {}
    for spec in _fields_of(cls):
        where = _join(path, spec.tag)
        found = tuple(_read_xml_value(spec.kind, child, where) for child in children.get(spec.tag, ()))
        values[spec.name] = found if spec.repeated else (found[0] if found else None)
    build: Callable[..., _E] = cls
    return build(**values)


def _read_xml_value(kind: Any, element: etree._Element, where: str) -> Any:
    if _is_element(kind):
        return _read_xml(kind, element, where)
    return _scalar_from_text(kind, element.text or "", where)


# ---------------------------------------------------------------------------------------------------------
# Reading JSON.


def parse_json(data: bytes) -> EmsiMessage:
    """Read an EMSI JSON message: `{"emsi": {...}}` as the health hub sends it, or the bare object.

    Members are the element names; repeated elements are arrays (a single value is taken as one item).
    The structure is checked here and the codes by the XML schema, on the message written back as XML.
    """
    _check_size(data)
    try:
        document = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(f"the EMSI message is not valid JSON: {error}") from None
    message = _read_json(EmsiMessage, _unwrapped(document), "")
    # Written by us, so no size limit: the XML form of a message is larger than its JSON form.
    _assert_valid(_checked_root(to_xml(message)), "the EMSI JSON message", with_lines=False)
    return message


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON or EMSI allows")


def _unwrapped(document: Any) -> Any:
    if isinstance(document, dict) and set(document) == {"emsi"}:
        document = document["emsi"]
    if not isinstance(document, dict) or "CONTEXT" not in document:
        raise InvalidInput(
            'expected an EMSI message: an object with CONTEXT and EVENT, possibly wrapped as {"emsi": {...}}'
        )
    return document


def _read_json(cls: type[_E], value: Any, path: str) -> _E:
    if not isinstance(value, dict):
        raise InvalidInput(f"{path or 'the EMSI message'} must be an object")
    specs = _fields_of(cls)
    unknown = sorted(set(value) - {spec.tag for spec in specs})
    if unknown:
        raise InvalidInput(
            f"{path or 'the EMSI message'} has members EMSI does not define: {', '.join(unknown)}"
        )
    values = {
        spec.name: _read_json_member(spec, value.get(spec.tag), _join(path, spec.tag)) for spec in specs
    }
    build: Callable[..., _E] = cls
    return build(**values)


def _read_json_member(spec: _Field, raw: Any, where: str) -> Any:
    if raw is None:  # absent, or null
        if spec.required:
            raise InvalidInput(f"{where} is required")
        return () if spec.repeated else None
    if isinstance(raw, list) and not spec.repeated:
        raise InvalidInput(f"{where} occurs once; got an array")
    items = raw if isinstance(raw, list) else [raw]
    found = tuple(_read_json_value(spec.kind, item, where) for item in items)
    return found if spec.repeated else found[0]


def _read_json_value(kind: Any, raw: Any, where: str) -> Any:
    if _is_element(kind):
        return _read_json(kind, raw, where)
    if kind is str and isinstance(raw, str):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return _json_decimal(raw, where)
    if kind is datetime and isinstance(raw, str):
        return _scalar_from_text(datetime, raw, where)
    raise InvalidInput(f"{where} must be {_KIND_NAMES[kind]}, not {json.dumps(raw)[:80]}")


def _json_decimal(raw: float, where: str) -> float:
    try:
        return float(raw)
    except OverflowError:  # an integer literal beyond any float
        raise InvalidInput(f"{where}: the number is out of range") from None


# ---------------------------------------------------------------------------------------------------------
# Describing values, for the human-readable notes of an import.


def value_lines(element: object, path: str, *, skip: Collection[str] = ()) -> list[str]:
    """'PATH: value' lines for every value under `element`, except the attributes named in `skip`.

    `skip` names attributes of `element` ("status") or, dotted, of elements inside it ("origin.org_id").
    A position's coordinates make one line: `lat,long[,height]` per point.
    """
    return list(_value_lines(element, path, frozenset(skip)))


def _value_lines(element: object, path: str, skip: frozenset[str]) -> Iterator[str]:
    for spec in _fields_of(type(element)):
        if spec.name in skip:
            continue
        inner = frozenset(name.split(".", 1)[1] for name in skip if name.startswith(f"{spec.name}."))
        where = _join(path, spec.tag)
        values = _occurrences(spec, getattr(element, spec.name))
        if spec.kind is Coord and values:
            yield f"{where}: " + " ".join(_coord_text(coord, where) for coord in values)
            continue
        for value in values:
            if _is_element(spec.kind):
                yield from _value_lines(value, where, inner)
            else:
                yield f"{where}: {_lexical(spec.kind, value, where)}"


def _coord_text(coord: Coord, where: str) -> str:
    parts = [coord.lat, coord.long] if coord.height is None else [coord.lat, coord.long, coord.height]
    return ",".join(decimal_text(part, where) for part in parts)
