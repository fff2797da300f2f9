"""Who may change rotas and run communication tests. Seeing is the sharing policy's business.

A partner keeps its own desks' rotas: its partner administrators and duty officers, as for its points
of contact. The person holding a desk may hand it over. A communication test is organised by a partner
(its duty officers or administrators); only the organiser changes its plans and runs. A node
administrator (or the platform) may do all of this, and only the record's home node changes it.
"""

from __future__ import annotations

import uuid

from crisislink.domains.readiness.ports import ContactFacts
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

# Role names as the directory defines them; this capability does not import the directory's enum.
_EDITORS = frozenset({"partner_admin", "duty_officer"})
_ADMIN = "node_admin"


def _is_admin(actor: Actor) -> bool:
    return actor.is_system or _ADMIN in actor.roles


def is_rota_editor(actor: Actor, contact: ContactFacts) -> bool:
    return _is_admin(actor) or (actor.partner_id == contact.partner_id and bool(_EDITORS & actor.roles))


def require_rota_editor(actor: Actor, contact: ContactFacts) -> None:
    if not is_rota_editor(actor, contact):
        raise PermissionDenied(
            "only a partner administrator or duty officer of the partner that owns this desk may change its rota"
        )


def require_home(contact: ContactFacts, node_id: uuid.UUID) -> None:
    if contact.home_node_id != node_id:
        raise PermissionDenied("this desk lives on another node; its rota is kept there")


def organiser_of(actor: Actor, named: uuid.UUID | None) -> uuid.UUID:
    """The partner that organises a test: the actor's own; a node administrator may name another."""
    if _is_admin(actor):
        partner = named or actor.partner_id
        if partner is None:
            raise PermissionDenied("name the partner that organises this test")
        return partner
    if not _EDITORS & actor.roles or actor.partner_id is None:
        raise PermissionDenied(
            "organising a communication test needs the duty officer or partner administrator role"
        )
    if named is not None and named != actor.partner_id:
        raise PermissionDenied("you organise tests for your own partner only")
    return actor.partner_id


def require_organiser(actor: Actor, owner: uuid.UUID | None) -> None:
    if _is_admin(actor):
        return
    if actor.partner_id is not None and actor.partner_id == owner and _EDITORS & actor.roles:
        return
    raise PermissionDenied("only the partner that organises this communication test may change it")


def require_system(actor: Actor) -> None:
    if not actor.is_system:
        raise PermissionDenied("the schedule is run by the platform")
