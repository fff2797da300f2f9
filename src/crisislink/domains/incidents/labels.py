"""How incident records are labelled: who owns them and who, besides the owner, may see them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from crisislink.domains.incidents.model import Incident
from crisislink.domains.incidents.ports import Directory
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Actor

_CLOSED_MARKINGS = frozenset({Tlp.AMBER_STRICT, Tlp.RED})


def check_audience(directory: Directory, audience: Iterable[Principal]) -> None:
    for principal in audience:
        known = (
            directory.partner(principal.id) is not None
            if principal.kind is PrincipalKind.PARTNER
            else directory.partner_of_user(principal.id) is not None
        )
        if not known:
            raise InvalidInput(f"the audience names an unknown {principal.kind.value} {principal.id}")


def incident_label(
    owner: uuid.UUID,
    node_id: uuid.UUID,
    marking: Tlp,
    audience: frozenset[Principal],
    parties: frozenset[uuid.UUID],
) -> Label:
    """AMBER reaches every partner in the incident; stricter markings cannot involve other partners."""
    others = parties - {owner}
    if marking in _CLOSED_MARKINGS and others:
        raise InvalidInput(
            f"an incident marked {marking} stays within its own organisation, so it cannot have another "
            "lead or involved partners; mark it AMBER to work on it with them"
        )
    if marking is Tlp.AMBER:
        audience = audience | {Principal.partner(partner) for partner in others}
    return Label(owner_partner_id=owner, home_node_id=node_id, marking=marking, audience=audience)


def record_owner(actor: Actor, incident: Incident) -> uuid.UUID:
    """A record added to an incident belongs to its author's partner (the platform's own, to the incident's)."""
    if actor.partner_id is not None:
        return actor.partner_id
    owner = incident.label.owner_partner_id
    assert owner is not None, "incidents always have an owner partner"
    return owner


def child_label(
    actor: Actor,
    incident: Incident,
    node_id: uuid.UUID,
    marking: Tlp | None,
    audience: frozenset[Principal] | None,
) -> Label:
    """By default a record added to an incident is shared as widely as the incident, and no wider."""
    chosen = marking or incident.label.marking
    if audience is None:
        audience = incident.label.audience if chosen is Tlp.AMBER else frozenset()
    return Label(
        owner_partner_id=record_owner(actor, incident),
        home_node_id=node_id,
        marking=chosen,
        audience=audience,
    )
