"""What happened in the network directory. Payload fields are JSON-friendly by construction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class NodeRegistered(Event):
    TYPE = "crisislink.sharing.node_registered"
    node_id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class PartnerRegistered(Event):
    TYPE = "crisislink.sharing.partner_registered"
    partner_id: uuid.UUID
    code: str
    name: str
    country: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class PartnerUpdated(Event):
    TYPE = "crisislink.sharing.partner_updated"
    partner_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class UserAdded(Event):
    TYPE = "crisislink.sharing.user_added"
    user_id: uuid.UUID
    username: str
    partner_id: uuid.UUID
    roles: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class UserUpdated(Event):
    TYPE = "crisislink.sharing.user_updated"
    user_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    TYPE = "crisislink.sharing.password_changed"
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ApiTokenIssued(Event):
    TYPE = "crisislink.sharing.api_token_issued"
    token_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class ApiTokenRevoked(Event):
    TYPE = "crisislink.sharing.api_token_revoked"
    token_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ContactPointCreated(Event):
    TYPE = "crisislink.sharing.contact_point_created"
    contact_point_id: uuid.UUID
    role: str
    name: str


@dataclass(frozen=True, kw_only=True)
class ContactPointUpdated(Event):
    TYPE = "crisislink.sharing.contact_point_updated"
    contact_point_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ContactPointRelabelled(Event):
    """Told to those who could see the record under its old label: reload it, or drop your copy.

    Carries the old label and no content, so it reveals nothing to those who lost access.
    """

    TYPE = "crisislink.sharing.contact_point_relabelled"
    contact_point_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ContactPointRemoved(Event):
    TYPE = "crisislink.sharing.contact_point_removed"
    contact_point_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class PreferencesChanged(Event):
    TYPE = "crisislink.sharing.preferences_changed"
    user_id: uuid.UUID
    locale: str | None
    timezone: str


ALL_EVENTS: tuple[type[Event], ...] = (
    NodeRegistered,
    PartnerRegistered,
    PartnerUpdated,
    UserAdded,
    UserUpdated,
    PasswordChanged,
    PreferencesChanged,
    ApiTokenIssued,
    ApiTokenRevoked,
    ContactPointCreated,
    ContactPointUpdated,
    ContactPointRelabelled,
    ContactPointRemoved,
)
