"""EMSI messages (Emergency Management Shared Information, ISO/TR 22351): the model of the schema.

An EMSI message is CONTEXT + EVENT + MISSION* + RESOURCE*. This module models every element of the EMSI
1.9 schema (namespace `urn:emergency:eda:1.9:emsi`) as frozen dataclasses, so a received message can be
written back without losing anything, and derives from them how each dataclass maps to the schema's
elements. `emsi_xml` reads and writes the XML form and validates it against the schema, `emsi_json`
reads the JSON form, and `emsi_lexical` holds the text forms of the values.

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
  crisislink's own vocabulary are tables (see `emsi_codes`);
- times are timezone-aware datetimes, written as xs:dateTime with an offset; a received time without one
  is refused, because nobody can tell which zone it meant;
- decimals (coordinates, heights, quantities) are floats, written in plain notation (xs:decimal has no
  exponent).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

NAMESPACE: Final = "urn:emergency:eda:1.9:emsi"


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


# ---------------------------------------------------------------------------------------------------------
# How the dataclasses map to elements: derived once per class from the annotations above.


@dataclass(frozen=True)
class ElementField:
    name: str  # the Python attribute
    tag: str  # the EMSI element
    kind: Any  # str, int, float, datetime, or a model dataclass
    repeated: bool
    required: bool


_FIELDS: dict[type[Any], tuple[ElementField, ...]] = {}


def fields_of(cls: type[Any]) -> tuple[ElementField, ...]:
    known = _FIELDS.get(cls)
    if known is None:  # threads racing here derive the same value; the last write wins, harmlessly
        hints = typing.get_type_hints(cls)
        known = tuple(_field_of(declared, hints[declared.name]) for declared in dataclasses.fields(cls))
        _FIELDS[cls] = known
    return known


def _field_of(declared: dataclasses.Field[Any], hint: Any) -> ElementField:
    repeated = typing.get_origin(hint) is tuple
    if repeated:
        kind = typing.get_args(hint)[0]
    else:
        kinds = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        kind = kinds[0] if kinds else hint
    required = declared.default is dataclasses.MISSING and declared.default_factory is dataclasses.MISSING
    return ElementField(
        declared.name, declared.metadata.get("tag", declared.name.upper()), kind, repeated, required
    )


def is_element(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def occurrences(spec: ElementField, value: Any) -> tuple[Any, ...]:
    if spec.repeated:
        return tuple(value)
    return () if value is None else (value,)


def join_path(path: str, tag: str) -> str:
    return f"{path}/{tag}" if path else tag
