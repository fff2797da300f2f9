"""Who a warning involves, from the countries its area touches: who approves, who issues, who sees it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from crisislink.domains.warnings.model import Routing
from crisislink.domains.warnings.ports import Directory
from crisislink.domains.warnings.values import Targeting
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

_CLOSED_MARKINGS = frozenset({Tlp.AMBER_STRICT, Tlp.RED})


def route(targeting: Targeting, directory: Directory) -> Routing:
    """A country issues a part when a partner of the network is there (it has the channel), and must
    approve when one of its partners is configured to approve warnings."""
    approvers: list[str] = []
    parts: list[str] = []
    for country in targeting.countries:
        partners = directory.partners_in(country)
        if partners:
            parts.append(country)
        if any(partner.approves_warnings for partner in partners):
            approvers.append(country)
    return Routing(approvers=tuple(approvers), parts=tuple(parts))


def partners_of(targeting: Targeting, directory: Directory) -> frozenset[uuid.UUID]:
    return frozenset(
        partner.id for country in targeting.countries for partner in directory.partners_in(country)
    )


def check_audience(directory: Directory, audience: Iterable[Principal]) -> None:
    for principal in audience:
        known = (
            directory.partner(principal.id) is not None
            if principal.kind is PrincipalKind.PARTNER
            else directory.partner_of_user(principal.id) is not None
        )
        if not known:
            raise InvalidInput(f"the audience names an unknown {principal.kind.value} {principal.id}")


def warning_label(
    owner: uuid.UUID,
    node_id: uuid.UUID,
    marking: Tlp,
    audience: frozenset[Principal],
    partners: frozenset[uuid.UUID],
) -> Label:
    """AMBER reaches the partners of every country the area touches: they approve and issue it."""
    others = partners - {owner}
    if marking in _CLOSED_MARKINGS and others:
        raise InvalidInput(
            f"a warning marked {marking} stays within its own organisation, but the countries it touches "
            "must see it to approve and issue it; mark it AMBER"
        )
    if marking is Tlp.AMBER:
        audience = audience | {Principal.partner(partner) for partner in others}
    return Label(owner_partner_id=owner, home_node_id=node_id, marking=marking, audience=audience)


def relabel(label: Label, before: frozenset[uuid.UUID], after: frozenset[uuid.UUID]) -> Label:
    """The label once the area touches other partners; the audience named by hand is kept."""
    owner = label.owner_partner_id
    assert owner is not None, "warnings always have an owner partner"
    by_hand = label.audience - {Principal.partner(partner) for partner in before}
    return warning_label(owner, label.home_node_id, label.marking, frozenset(by_hand), after)
