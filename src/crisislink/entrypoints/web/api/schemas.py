"""Request bodies. Unknown fields are refused, sizes bounded: bad input is rejected before any work."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=2000)]
Code = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Country = Annotated[str, msgspec.Meta(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=8)]
Languages = Annotated[list[Language], msgspec.Meta(max_length=10)]
Version = Annotated[int, msgspec.Meta(ge=1)]
Marking = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class LoginBody(Strict):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class LoginResult(msgspec.Struct):
    user_id: uuid.UUID
    username: str
    partner_id: uuid.UUID
    roles: list[str]
    csrf_token: str
    expires_at: datetime


class GeoJsonGeometry(Strict):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class NodeBody(Strict):
    code: Code
    name: Name
    country: Country
    base_url: Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https?://")] | None = None


class PartnerBody(Strict):
    code: Code
    name: Name
    country: Country
    kind: str
    home_node_id: uuid.UUID
    languages: Languages
    names: dict[Language, Name] = msgspec.field(default_factory=dict)
    external: bool = False
    jurisdiction: GeoJsonGeometry | None = None


class PartnerPatch(Strict):
    expected_version: Version
    name: Name | None = None
    languages: Languages | None = None
    jurisdiction: GeoJsonGeometry | None = None


class UserBody(Strict):
    username: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    display_name: Name
    partner_id: uuid.UUID
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=7)]
    password: Annotated[str, msgspec.Meta(min_length=12, max_length=1024)]
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    locale: Literal["en", "nl", "fr", "de"] | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "Europe/Brussels"


class UserPatch(Strict):
    expected_version: Version
    display_name: Name | None = None
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=7)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    locale: Literal["en", "nl", "fr", "de"] | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    active: bool | None = None


class PasswordBody(Strict):
    password: Annotated[str, msgspec.Meta(min_length=12, max_length=1024)]


class TokenBody(Strict):
    name: Name
    scopes: Annotated[list[Literal["read", "write"]], msgspec.Meta(min_length=1, max_length=2)]
    expires_at: Annotated[
        datetime, msgspec.Meta(tz=True, description="with a time zone, e.g. 2027-01-01T00:00:00Z")
    ]


class TokenIssued(msgspec.Struct):
    id: uuid.UUID
    token: str
    expires_at: datetime


class ChannelBody(Strict):
    kind: Literal["phone", "email", "radio", "secure_line", "fax"]
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    note: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class WindowBody(Strict):
    days: Annotated[list[Annotated[int, msgspec.Meta(ge=0, le=6)]], msgspec.Meta(min_length=1, max_length=7)]
    start: Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    end: Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class HoursBody(Strict):
    always: bool
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "UTC"
    windows: Annotated[list[WindowBody], msgspec.Meta(max_length=21)] = msgspec.field(default_factory=list)


class AudienceBody(Strict):
    kind: Literal["partner", "user"]
    id: uuid.UUID


class ContactBody(Strict):
    partner_id: uuid.UUID
    role: str
    name: Name
    channels: Annotated[list[ChannelBody], msgspec.Meta(min_length=1, max_length=20)]
    languages: Languages
    hours: HoursBody
    marking: Marking = "GREEN"
    audience: Annotated[list[AudienceBody], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    notes: ShortText | None = None


class ContactPatch(Strict):
    expected_version: Version
    name: Name | None = None
    channels: Annotated[list[ChannelBody], msgspec.Meta(min_length=1, max_length=20)] | None = None
    languages: Languages | None = None
    hours: HoursBody | None = None
    marking: Marking | None = None
    audience: Annotated[list[AudienceBody], msgspec.Meta(max_length=200)] | None = None
    notes: ShortText | None = None


class Health(msgspec.Struct):
    status: str
    node: str
    version: str
    database: str
