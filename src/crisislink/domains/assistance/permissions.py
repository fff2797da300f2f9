"""Who may change what in mutual assistance. Seeing is the sharing policy's business.

A partner acts for itself: its duty officers (and partner administrators) ask for help, offer it and move
it along. A node administrator may register and maintain any partner's units (seeding, administration) but
does not ask or offer on another partner's behalf. Only the record's home node changes it.
"""

from __future__ import annotations

import uuid

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

# Role names as the directory defines them; this capability does not import the directory's enum.
_WRITERS = frozenset({"duty_officer", "partner_admin"})
_ADMIN = "node_admin"


def require_writer(actor: Actor) -> None:
    if actor.is_system or _ADMIN in actor.roles or _WRITERS & actor.roles:
        return
    raise PermissionDenied("mutual assistance needs the duty officer or partner administrator role")


def require_unit_manager(actor: Actor, owner: uuid.UUID | None) -> None:
    require_writer(actor)
    if actor.is_system or _ADMIN in actor.roles or actor.partner_id == owner:
        return
    raise PermissionDenied("only the partner that owns a unit (or a node administrator) can change it")


def acting_partner(actor: Actor) -> uuid.UUID:
    """The partner on whose behalf a person asks or offers."""
    require_writer(actor)
    if actor.partner_id is None:
        raise PermissionDenied("asking for or offering assistance is done by a person of a partner")
    return actor.partner_id


def require_party(actor: Actor, *parties: uuid.UUID, what: str) -> uuid.UUID:
    partner = acting_partner(actor)
    if partner not in parties:
        raise PermissionDenied(f"only {what} can do this")
    return partner


def require_home(record: Shareable, node_id: uuid.UUID, noun: str) -> None:
    if record.label.home_node_id != node_id:
        raise PermissionDenied(f"this {noun} lives on another node; only its home node may change it")
