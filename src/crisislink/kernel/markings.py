"""Traffic Light Protocol 2.0 markings and the label every shareable record carries."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field


class Tlp(enum.StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class PrincipalKind(enum.StrEnum):
    PARTNER = "partner"
    USER = "user"


@dataclass(frozen=True, order=True)
class Principal:
    """Someone an audience can name: a whole partner organisation, or one person."""

    kind: PrincipalKind
    id: uuid.UUID

    @classmethod
    def partner(cls, partner_id: uuid.UUID) -> Principal:
        return cls(PrincipalKind.PARTNER, partner_id)

    @classmethod
    def user(cls, user_id: uuid.UUID) -> Principal:
        return cls(PrincipalKind.USER, user_id)


@dataclass(frozen=True)
class Label:
    """Who owns a record, where it lives, and who may see it besides the owner.

    `owner_partner_id` is None only for the network's own directory records (nodes), which no
    single partner owns.
    """

    owner_partner_id: uuid.UUID | None
    home_node_id: uuid.UUID
    marking: Tlp
    audience: frozenset[Principal] = field(default_factory=frozenset)
