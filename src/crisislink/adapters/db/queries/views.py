"""Read models returned by queries and served as JSON as they are."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec


def record(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A result row as a plain dict (SQLAlchemy's key type is a str subclass msgspec will not take)."""
    return {str(key): value for key, value in row.items()}


class NodeView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    code: str
    name: str
    country: str
    base_url: str | None
    version: int


class PartnerView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    code: str
    name: str
    names: dict[str, str]
    country: str
    kind: str
    home_node_id: uuid.UUID
    languages: list[str]
    external: bool
    jurisdiction_ref: str | None
    version: int


class UserView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    username: str
    display_name: str
    partner_id: uuid.UUID
    roles: list[str]
    email: str | None
    locale: str | None
    timezone: str
    active: bool
    version: int


class AudienceMember(msgspec.Struct, frozen=True):
    kind: str
    id: uuid.UUID


class ChannelView(msgspec.Struct, frozen=True):
    kind: str
    value: str
    note: str | None = None


class ContactPointView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    marking: str
    audience: list[AudienceMember]
    role: str
    name: str
    channels: list[ChannelView]
    languages: list[str]
    hours: dict[str, Any]
    notes: str | None
    staffed_now: bool
    version: int


class EventView(msgspec.Struct, frozen=True):
    position: int
    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    origin_node_id: uuid.UUID
    owner_partner_id: uuid.UUID | None
    marking: str
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None
    payload: dict[str, Any]


class TokenView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    scopes: list[str]
    expires_at: datetime
    revoked: bool
