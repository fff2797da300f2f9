"""How communication tests are labelled. (Rota records carry their point of contact's label.)

A test of the whole network is GREEN: every member takes part, so every member may see it. A test of
chosen partners is AMBER, shared with those partners: each sees how it did, and the organiser sees all.
"""

from __future__ import annotations

import uuid

from crisislink.domains.readiness.ports import Network
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Label, Principal, Tlp


def known_partners(network: Network, partners: frozenset[uuid.UUID]) -> frozenset[uuid.UUID]:
    for partner in partners:
        if network.partner(partner) is None:
            raise InvalidInput(f"no partner with id {partner}")
    return partners


def run_label(organiser: uuid.UUID, node_id: uuid.UUID, partners: frozenset[uuid.UUID]) -> Label:
    if not partners:
        return Label(owner_partner_id=organiser, home_node_id=node_id, marking=Tlp.GREEN)
    audience = frozenset(Principal.partner(p) for p in partners - {organiser})
    return Label(owner_partner_id=organiser, home_node_id=node_id, marking=Tlp.AMBER, audience=audience)
