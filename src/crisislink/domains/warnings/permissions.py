"""Who may do what to a warning. Seeing it is the sharing policy's business; this is about acting on it.

Role names are the directory's (`domains/sharing`), written as plain strings: capabilities do not import
each other. Drafting takes a duty or information officer; deciding on a country's part and issuing it take
an information officer of a partner in that country, since each state warns its own population.
"""

from __future__ import annotations

from datetime import datetime

from crisislink.domains.warnings.codes import Status
from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.ports import Directory, WarningPartner
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

OFFICER = "information_officer"
_DRAFTERS = frozenset({"duty_officer", OFFICER})
_EXERCISE_DRAFTERS = _DRAFTERS | {"exercise_controller"}


def require_drafter(actor: Actor, status: Status) -> None:
    drafters = _DRAFTERS if status is Status.ACTUAL else _EXERCISE_DRAFTERS
    if actor.user_id is None or actor.partner_id is None:
        raise PermissionDenied("a warning is drafted by a person, on behalf of their partner organisation")
    if not drafters & actor.roles:
        raise PermissionDenied(
            "drafting a public warning needs the information officer or duty officer role"
            + ("" if status is Status.ACTUAL else " (or exercise controller, for exercises and tests)")
        )


def require_editor(actor: Actor, warning: PublicWarning) -> None:
    """The draft is written by the partner that owns it; the others comment and decide on it."""
    require_drafter(actor, warning.status)
    if actor.partner_id != warning.label.owner_partner_id:
        raise PermissionDenied(
            "only the partner that drafted this warning edits it; comment on it or request changes instead"
        )


def require_participant(actor: Actor, warning: PublicWarning, directory: Directory) -> WarningPartner | None:
    """The owner, or a partner in a country the warning asks or issues in. Returns the actor's partner."""
    require_drafter(actor, warning.status)
    partner = directory.partner(actor.partner_id) if actor.partner_id else None
    if actor.partner_id == warning.label.owner_partner_id:
        return partner
    if partner is None or partner.country not in {*warning.required_approvers, *warning.parts}:
        raise PermissionDenied("only the partners of the countries this warning covers can comment on it")
    return partner


def require_country_officer(actor: Actor, country: str, directory: Directory, doing: str) -> None:
    """An information officer of a partner in `country`: nobody decides for another country."""
    if actor.user_id is None or OFFICER not in actor.roles:
        raise PermissionDenied(f"you need the information officer role to {doing}")
    partner = directory.partner(actor.partner_id) if actor.partner_id else None
    if partner is None or partner.country != country:
        raise PermissionDenied(
            f"only an information officer of a partner in {country} can {doing} for {country}; ask them to"
        )


def require_issuer(
    actor: Actor, warning: PublicWarning, country: str, directory: Directory, moment: datetime
) -> None:
    """The schedule; the country's own officer; or the owner's officer, unless the country chose a later time."""
    if actor.is_system:
        return
    part = warning.part(country)
    if actor.partner_id == warning.label.owner_partner_id and OFFICER in actor.roles:
        if not part.scheduled_later_than(moment):
            return
        assert part.scheduled_at is not None
        raise PermissionDenied(
            f"{country} chose to issue its part at {part.scheduled_at.isoformat()}; only {country}'s "
            "information officer can issue it earlier"
        )
    require_country_officer(actor, country, directory, "issue the part")


def require_owner_officer(actor: Actor, warning: PublicWarning, doing: str) -> None:
    """Updating or cancelling the whole warning is for the drafting partner's information officer."""
    mine = actor.partner_id == warning.label.owner_partner_id
    if actor.user_id is not None and OFFICER in actor.roles and mine:
        return
    raise PermissionDenied(
        f"only an information officer of the partner that drafted the warning can {doing} it"
    )


def require_system(actor: Actor) -> None:
    if not actor.is_system:
        raise PermissionDenied("the warning schedule runs as the platform itself")
