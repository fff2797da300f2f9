"""How assistance records are labelled: who owns them and who, besides the owner, may see them.

Requests and offers are always AMBER: a request is shared with the partners it was sent to, an offer with
the requester alone. A unit carries the marking its owner chose; accepting an offer shares an AMBER unit
with the requester, who must see the team it receives on its map.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from crisislink.domains.assistance.ports import Directory
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

# Markings under which a unit can still be shared with a partner it is offered to.
SHAREABLE = frozenset({Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER})


def check_audience(directory: Directory, audience: Iterable[Principal]) -> None:
    for principal in audience:
        known = (
            directory.partner(principal.id) is not None
            if principal.kind is PrincipalKind.PARTNER
            else directory.partner_of_user(principal.id) is not None
        )
        if not known:
            raise InvalidInput(f"the audience names an unknown {principal.kind.value} {principal.id}")


def request_label(requester: uuid.UUID, node_id: uuid.UUID, addressees: Iterable[uuid.UUID]) -> Label:
    audience = frozenset(Principal.partner(p) for p in addressees)
    return Label(owner_partner_id=requester, home_node_id=node_id, marking=Tlp.AMBER, audience=audience)


def offer_label(offerer: uuid.UUID, node_id: uuid.UUID, requester: uuid.UUID) -> Label:
    audience = frozenset({Principal.partner(requester)})
    return Label(owner_partner_id=offerer, home_node_id=node_id, marking=Tlp.AMBER, audience=audience)


def shared_with(label: Label, partner: uuid.UUID) -> Label:
    """The label of a unit once it works for `partner`: an AMBER unit gains that partner in its audience."""
    if label.marking is not Tlp.AMBER:
        return label
    return Label(
        label.owner_partner_id,
        label.home_node_id,
        label.marking,
        label.audience | {Principal.partner(partner)},
    )
