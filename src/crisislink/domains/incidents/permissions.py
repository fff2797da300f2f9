"""What a role allows on incidents. Seeing is the sharing policy's business; this is about changing."""

from __future__ import annotations

from crisislink.domains.incidents.model import Incident, Mode
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

# Role names as the directory defines them; this capability does not import the directory's enum.
_WRITERS = frozenset({"duty_officer", "information_officer", "partner_admin"})
_EXERCISE_WRITERS = _WRITERS | {"exercise_controller"}
_ADMIN = "node_admin"


def _writers_for(mode: Mode) -> frozenset[str]:
    return _WRITERS if mode is Mode.LIVE else _EXERCISE_WRITERS


def require_writer(actor: Actor, mode: Mode = Mode.LIVE) -> None:
    if actor.is_system or _ADMIN in actor.roles or _writers_for(mode) & actor.roles:
        return
    raise PermissionDenied(
        "recording incidents needs the duty officer or information officer role"
        + ("" if mode is Mode.LIVE else " (or exercise controller, for exercises and replays)")
    )


def require_party(actor: Actor, incident: Incident) -> None:
    """A writer of the lead, owner or an involved partner."""
    require_writer(actor, incident.mode)
    if actor.is_system or _ADMIN in actor.roles:
        return
    if actor.partner_id == incident.label.owner_partner_id or incident.is_party(actor.partner_id):
        return
    raise PermissionDenied(
        "only the lead partner and the partners involved in this incident can add to it; "
        "ask the lead partner to involve yours"
    )


def require_manager(actor: Actor, incident: Incident) -> None:
    """Changing the incident itself (title, area, partners, marking, status) is for its owner and lead."""
    require_writer(actor, incident.mode)
    if actor.is_system or _ADMIN in actor.roles:
        return
    if actor.partner_id in {incident.label.owner_partner_id, incident.lead_partner_id}:
        return
    raise PermissionDenied("only the partner that declared the incident or its lead partner can change it")
