"""Command handlers that put a warning out and end it: schedule parts, issue, update, cancel, expire.

Every message gets a new identifier from the `IdentifierPort`; the warning builds the message itself, so an
Update or Cancel always references every earlier message and never re-stamps one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import events as e
from crisislink.domains.warnings.chain import Stamp
from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.permissions import (
    require_country_officer,
    require_editor,
    require_issuer,
    require_owner_officer,
    require_system,
)
from crisislink.domains.warnings.ports import IdentifierPort, WarningsUnitOfWork
from crisislink.domains.warnings.values import aware, country
from crisislink.kernel.errors import Conflict, CrisislinkError, InvalidInput

Now = Callable[[], datetime]


def schedule_parts(cmd: c.ScheduleParts, uow: WarningsUnitOfWork, now: Now) -> None:
    """Each country chooses when its own part goes out."""
    warning = uow.warnings.get(cmd.warning_id)
    if not cmd.times:
        raise InvalidInput("name the parts to schedule and the time for each")
    moment = now()
    for code, at in cmd.times:
        part_country = country(code)
        require_country_officer(
            cmd.actor, part_country, uow.warning_directory, "choose when the part goes out"
        )
        when = aware(at, f"the time of the {part_country} part")
        warning.schedule(part_country, when, moment)
        warning.record(
            e.WarningPartScheduled(label=warning.label, warning_id=warning.id, country=part_country, at=when)
        )
    uow.commit()


def issue_warning(
    cmd: c.IssueWarning, uow: WarningsUnitOfWork, identifiers: IdentifierPort, now: Now
) -> tuple[str, ...]:
    """Issue parts now; returns the countries whose part went out."""
    warning = uow.warnings.get(cmd.warning_id)
    moment = now()
    countries = _parts_to_issue(cmd, warning, moment)
    for part_country in countries:
        require_issuer(cmd.actor, warning, part_country, uow.warning_directory, moment)
    _issue_parts(warning, countries, identifiers, moment)
    uow.commit()
    return countries


def issue_update(cmd: c.IssueUpdate, uow: WarningsUnitOfWork, identifiers: IdentifierPort, now: Now) -> str:
    """Send the approved revision as a CAP Update to every part out; returns its identifier."""
    warning = uow.warnings.get(cmd.warning_id)
    require_owner_officer(cmd.actor, warning, "issue an update of")
    update = warning.amend(_stamp(identifiers, now()), cmd.note.strip())
    warning.record(
        e.WarningUpdated(
            label=warning.label,
            warning_id=warning.id,
            identifier=update.identifier,
            sent=update.sent,
            references=tuple(reference.identifier for reference in update.references),
            revision=update.revision,
            countries=warning.issued_countries(),
            status=warning.status.value,
            public=warning.is_public_alert(),
        )
    )
    uow.commit()
    return update.identifier


def cancel_warning(
    cmd: c.CancelWarning, uow: WarningsUnitOfWork, identifiers: IdentifierPort, now: Now
) -> str | None:
    """Cancel; returns the Cancel message's identifier, or None when nothing had gone out."""
    warning = uow.warnings.get(cmd.warning_id)
    if warning.messages:
        require_owner_officer(cmd.actor, warning, "cancel")
    else:
        require_editor(cmd.actor, warning)  # a draft nobody saw is discarded by whoever may edit it
    reason = cmd.reason.strip()
    if not reason:
        raise InvalidInput("say why the warning is cancelled; receivers are told")
    stamp = _stamp(identifiers, now()) if warning.messages else None
    message, withdrawn = warning.cancel(stamp, reason)
    warning.record(
        e.WarningCancelled(
            label=warning.label,
            warning_id=warning.id,
            identifier=message.identifier if message else None,
            sent=message.sent if message else None,
            references=tuple(reference.identifier for reference in message.references) if message else (),
            countries=warning.issued_countries(),
            withdrawn=withdrawn,
            reason=reason,
            status=warning.status.value,
            public=warning.is_public_alert(),
        )
    )
    uow.commit()
    return message.identifier if message else None


def expire_warning(cmd: c.ExpireWarning, uow: WarningsUnitOfWork, now: Now) -> None:
    warning = uow.warnings.get(cmd.warning_id)
    if not cmd.actor.is_system:
        require_owner_officer(cmd.actor, warning, "expire")
    _expire(warning, now())
    uow.commit()


def run_warning_schedule(
    cmd: c.RunWarningSchedule, uow: WarningsUnitOfWork, identifiers: IdentifierPort, now: Now
) -> int:
    """Expire what ran out, issue the parts whose time came (holding those that cannot go); returns how many
    warnings were looked at. One warning that cannot go out never stops the others."""
    require_system(cmd.actor)
    moment = now()
    due = uow.warnings.due(moment)
    for warning in due:
        if warning.ran_out(moment):
            _expire(warning, moment)
        else:
            _issue_due_parts(warning, identifiers, moment)
    uow.commit()
    return len(due)


def _parts_to_issue(cmd: c.IssueWarning, warning: PublicWarning, moment: datetime) -> tuple[str, ...]:
    if cmd.countries:
        return tuple(dict.fromkeys(map(country, cmd.countries)))
    ready = tuple(
        code for code, part in warning.parts.items() if part.open and not part.scheduled_later_than(moment)
    )
    if ready:
        return ready
    later = [
        f"{code} at {part.scheduled_at.isoformat()}"
        for code, part in warning.parts.items()
        if part.scheduled_at and part.open
    ]
    if later:
        raise Conflict(
            f"every part still to go out is scheduled ({', '.join(later)}); name the parts to issue now"
        )
    raise Conflict("no part of this warning is left to issue; revise it and issue an update to change it")


def _issue_parts(
    warning: PublicWarning, countries: tuple[str, ...], identifiers: IdentifierPort, moment: datetime
) -> None:
    """The first part starts the chain with an Alert; every part goes out with the chain's latest message."""
    warning.check_issuable(moment)
    if not warning.messages:
        warning.start_chain(_stamp(identifiers, moment))
    for part_country in countries:
        part = warning.release(part_country, moment)
        message = warning.messages[-1]
        assert part.message_identifier == message.identifier
        warning.record(
            e.WarningPartIssued(
                label=warning.label,
                warning_id=warning.id,
                country=part_country,
                identifier=message.identifier,
                msg_type=message.msg_type.value,
                sent=message.sent,
                status=warning.status.value,
                public=warning.is_public_alert(),
            )
        )


def _issue_due_parts(warning: PublicWarning, identifiers: IdentifierPort, moment: datetime) -> None:
    due = tuple(code for code, part in warning.parts.items() if part.due(moment))
    if not due:
        return
    try:
        _issue_parts(warning, due, identifiers, moment)
    except CrisislinkError as error:
        # Not sent, and not retried every minute either: a person decides (reschedule or issue by hand).
        for part_country in due:
            warning.hold(part_country, error.message)
            warning.record(
                e.WarningPartHeld(
                    label=warning.label, warning_id=warning.id, country=part_country, reason=error.message
                )
            )


def _expire(warning: PublicWarning, moment: datetime) -> None:
    withdrawn = warning.expire(moment)
    warning.record(e.WarningExpired(label=warning.label, warning_id=warning.id, withdrawn=withdrawn))


def _stamp(identifiers: IdentifierPort, moment: datetime) -> Stamp:
    return Stamp(identifier=identifiers.new_identifier(), sender=identifiers.sender, moment=moment)
