"""What a role allows. The sharing policy says what one may see; this says what one may change."""

from __future__ import annotations

import uuid

from crisislink.domains.sharing.model import Role
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

_CONTACT_EDITORS = frozenset({Role.PARTNER_ADMIN, Role.DUTY_OFFICER})


def _is_node_admin(actor: Actor) -> bool:
    return actor.is_system or Role.NODE_ADMIN in actor.roles


def require_network_admin(actor: Actor) -> None:
    if not _is_node_admin(actor):
        raise PermissionDenied("only a node administrator may manage nodes and partners")


def require_user_admin(actor: Actor, partner_id: uuid.UUID) -> None:
    if _is_node_admin(actor):
        return
    if actor.partner_id == partner_id and Role.PARTNER_ADMIN in actor.roles:
        return
    raise PermissionDenied("only a partner administrator of that partner may manage its users")


def require_contact_editor(actor: Actor, partner_id: uuid.UUID) -> None:
    if _is_node_admin(actor):
        return
    if actor.partner_id == partner_id and _CONTACT_EDITORS & actor.roles:
        return
    raise PermissionDenied(
        "only a partner administrator or duty officer of the owning partner may change its points of contact"
    )


def require_signed_in(actor: Actor) -> uuid.UUID:
    if actor.user_id is None:
        raise PermissionDenied("this needs a signed-in user")
    return actor.user_id
