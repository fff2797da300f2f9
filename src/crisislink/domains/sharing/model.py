"""The network: nodes, partner organisations, their people and their points of contact."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.kernel.aggregate import Aggregate
from crisislink.kernel.geo import Area


class PartnerKind(enum.StrEnum):
    NATIONAL_CRISIS_CENTRE = "national_crisis_centre"
    PROVINCIAL_CRISIS_CELL = "provincial_crisis_cell"
    SAFETY_REGION = "safety_region"
    CIVIL_PROTECTION = "civil_protection"
    FIRE_RESCUE_SERVICE = "fire_rescue_service"
    GOVERNMENT_BODY = "government_body"
    EU_BODY = "eu_body"
    EXTERNAL_AUTHORITY = "external_authority"


class Role(enum.StrEnum):
    NODE_ADMIN = "node_admin"
    PARTNER_ADMIN = "partner_admin"
    DUTY_OFFICER = "duty_officer"
    INFORMATION_OFFICER = "information_officer"
    ANALYST = "analyst"
    EXERCISE_CONTROLLER = "exercise_controller"
    OBSERVER = "observer"


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(kw_only=True, eq=False)
class Node(Aggregate):
    """One deployment. Every record has exactly one home node, and only that node changes it."""

    code: str
    name: str
    country: str
    base_url: str | None = None


@dataclass(kw_only=True, eq=False)
class Partner(Aggregate):
    code: str
    name: str
    country: str
    kind: PartnerKind
    home_node_id: uuid.UUID
    languages: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    external: bool = False
    jurisdiction: Area | None = None
    # Its information officers must approve any public warning touching its country (line 5).
    approves_warnings: bool = True


@dataclass(kw_only=True, eq=False)
class User(Aggregate):
    username: str
    display_name: str
    partner_id: uuid.UUID
    roles: frozenset[Role]
    password_hash: str = field(repr=False)
    email: str | None = None
    locale: str | None = None  # None: follow the browser's language
    timezone: str = "Europe/Brussels"
    active: bool = True

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@dataclass(kw_only=True, eq=False)
class ApiToken(Aggregate):
    """A personal token for machine clients. Only a hash of the secret is kept."""

    user_id: uuid.UUID
    name: str
    secret_hash: str = field(repr=False)
    scopes: frozenset[Scope]
    expires_at: datetime
    revoked: bool = False

    def usable_at(self, moment: datetime) -> bool:
        return not self.revoked and moment < self.expires_at
