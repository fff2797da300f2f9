"""What people ask the network directory to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.sharing.contacts import Channel, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind, Role, Scope
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class RegisterNode(Command):
    """`node_id` is given only when a node registers itself on first start."""

    code: str
    name: str
    country: str
    base_url: str | None = None
    node_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class RegisterPartner(Command):
    code: str
    name: str
    country: str
    kind: PartnerKind
    home_node_id: uuid.UUID
    languages: tuple[str, ...]
    names: tuple[tuple[str, str], ...] = ()
    external: bool = False
    jurisdiction: Area | None = None


@dataclass(frozen=True, kw_only=True)
class UpdatePartner(Command):
    partner_id: uuid.UUID
    expected_version: int
    name: str | None = None
    languages: tuple[str, ...] | None = None
    jurisdiction: Area | None = None
    approves_warnings: bool | None = None


@dataclass(frozen=True, kw_only=True)
class AddUser(Command):
    username: str
    display_name: str
    partner_id: uuid.UUID
    roles: frozenset[Role]
    password: str
    email: str | None = None
    locale: str | None = None
    timezone: str = "Europe/Brussels"


@dataclass(frozen=True, kw_only=True)
class UpdateUser(Command):
    user_id: uuid.UUID
    expected_version: int
    display_name: str | None = None
    roles: frozenset[Role] | None = None
    email: str | None = None
    locale: str | None = None
    timezone: str | None = None
    active: bool | None = None


@dataclass(frozen=True, kw_only=True)
class SetPassword(Command):
    user_id: uuid.UUID
    password: str


@dataclass(frozen=True, kw_only=True)
class IssueApiToken(Command):
    name: str
    scopes: frozenset[Scope]
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class RevokeApiToken(Command):
    token_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CreateContactPoint(Command):
    partner_id: uuid.UUID
    role: ContactRole
    name: str
    channels: tuple[Channel, ...]
    languages: tuple[str, ...]
    hours: StaffedHours
    marking: Tlp
    audience: frozenset[Principal] = frozenset()
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateContactPoint(Command):
    contact_point_id: uuid.UUID
    expected_version: int
    name: str | None = None
    channels: tuple[Channel, ...] | None = None
    languages: tuple[str, ...] | None = None
    hours: StaffedHours | None = None
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveContactPoint(Command):
    contact_point_id: uuid.UUID
    expected_version: int


@dataclass(frozen=True, kw_only=True)
class SetPreferences(Command):
    """A person's own interface language and time zone."""

    locale: str | None = None
    timezone: str | None = None
