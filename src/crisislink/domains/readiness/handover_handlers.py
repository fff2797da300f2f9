"""The hand-over of a desk: the outgoing holder gives it to the incoming one, now, with a note.

The rota is brought in line with what happened: the outgoing primary's shift ends now, and the incoming
shift starts now if it was to start later (an early hand-over). A late hand-over (the incoming shift has
begun already) moves nothing and records who handed over to whom. A deputy acting for an absent primary
hands over too; their deputy shift stays as it is.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness.permissions import is_rota_editor, require_home
from crisislink.domains.readiness.ports import ContactFacts, ReadinessUnitOfWork
from crisislink.domains.readiness.rota import (
    MAX_SHIFT,
    DutyShift,
    Handover,
    ShiftRole,
    desk_state,
    note_text,
    refuse_overlap,
)
from crisislink.domains.readiness.rota_handlers import (
    HANDOVER_AHEAD,
    Now,
    add_shift,
    contact_of,
    known_person,
    new_shift,
    refresh_desk,
)
from crisislink.kernel.errors import Conflict, InvalidInput, PermissionDenied
from crisislink.kernel.ids import new_id


def _incoming(
    cmd: c.HandOverDesk, uow: ReadinessUnitOfWork, contact: ContactFacts, moment: datetime
) -> DutyShift:
    if cmd.to_shift_id is not None:
        shift = uow.duty_shifts.get(cmd.to_shift_id)
        if shift.contact_point_id != contact.id or shift.role is not ShiftRole.PRIMARY:
            raise InvalidInput("hand over to a primary shift of this desk")
        shift.require_changeable(moment)
        if shift.starts_at > moment + HANDOVER_AHEAD:
            raise InvalidInput(
                f"that shift starts at {shift.starts_at:%Y-%m-%d %H:%M} UTC; hand over to the next shift, "
                "or to a person until a given time"
            )
        return shift
    if cmd.to_person is None or cmd.until is None:
        raise InvalidInput("say to whom the desk goes: a shift on the rota, or a person and until when")
    person = known_person(uow, cmd.to_person)
    return new_shift(contact, person, ShiftRole.PRIMARY, (moment, cmd.until), cmd.actor, moment)


def _predecessor(shifts: list[DutyShift], incoming: DutyShift) -> DutyShift | None:
    """The primary shift that ended as the incoming one began (a hand-over made late)."""
    before = [
        s
        for s in shifts
        if s.role is ShiftRole.PRIMARY and s.id != incoming.id and s.ends_at == incoming.starts_at
    ]
    return before[0] if before else None


def _release(outgoing: DutyShift, moment: datetime) -> None:
    if outgoing.role is not ShiftRole.PRIMARY:
        return  # an acting deputy stays on as deputy
    if outgoing.starts_at >= moment:
        raise Conflict("the outgoing shift begins this very moment; hand over a minute later")
    outgoing.ends_at = moment


def hand_over(cmd: c.HandOverDesk, uow: ReadinessUnitOfWork, now: Now) -> uuid.UUID:
    contact = contact_of(uow, cmd.contact_point_id)
    require_home(contact, uow.node_id)
    moment = now()
    shifts = list(uow.duty_shifts.at_desk(contact.id, moment - MAX_SHIFT, moment + HANDOVER_AHEAD))
    holder = desk_state(shifts, moment).holder
    own = holder is not None and cmd.actor.user_id is not None and holder.person.user_id == cmd.actor.user_id
    if not (own or is_rota_editor(cmd.actor, contact)):
        raise PermissionDenied("only the person holding the desk, or an editor of its rota, may hand it over")
    note = note_text(cmd.note, "the hand-over note")
    incoming = _incoming(cmd, uow, contact, moment)
    outgoing = holder if holder is not None and holder.id != incoming.id else _predecessor(shifts, incoming)
    if outgoing is not None and outgoing.covers(moment):
        _release(outgoing, moment)
    if incoming.version == 0:  # a new shift, made for this hand-over
        add_shift(uow, incoming)
    else:
        incoming.starts_at = min(incoming.starts_at, moment)
        refuse_overlap(incoming, uow.duty_shifts.at_desk(contact.id, incoming.starts_at, incoming.ends_at))
    handover = Handover(
        id=new_id(),
        label=contact.label,
        contact_point_id=contact.id,
        from_shift_id=outgoing.id if outgoing else None,
        to_shift_id=incoming.id,
        at=moment,
        by_user_id=cmd.actor.user_id,
        note=note,
    )
    handover.record(
        e.DeskHandedOver(
            label=contact.label,
            handover_id=handover.id,
            contact_point_id=contact.id,
            from_shift_id=handover.from_shift_id,
            to_shift_id=incoming.id,
            from_name=outgoing.person.name if outgoing else None,
            to_name=incoming.person.name,
            at=moment,
        )
    )
    uow.handovers.add(handover)
    refresh_desk(uow, contact, moment)
    uow.commit()
    return handover.id
