"""Command handlers of the rota: shifts, notes on them, and the hand-over of a desk."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness.permissions import require_home, require_rota_editor
from crisislink.domains.readiness.ports import ContactFacts, ReadinessUnitOfWork
from crisislink.domains.readiness.rota import (
    Desk,
    DeskStatus,
    DutyPerson,
    DutyShift,
    ShiftRole,
    aware,
    check_period,
    desk_state,
    not_before_now,
    refuse_overlap,
)
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
# How far ahead the incoming shift of a hand-over may begin: the next shift, not one days away.
HANDOVER_AHEAD = timedelta(hours=12)
_INSTANT = timedelta(microseconds=1)


def contact_of(uow: ReadinessUnitOfWork, contact_point_id: uuid.UUID) -> ContactFacts:
    contact = uow.readiness_network.contact(contact_point_id)
    if contact is None:
        raise NotFound(f"no point of contact with id {contact_point_id}")
    return contact


def _editable(actor: Actor, uow: ReadinessUnitOfWork, contact_point_id: uuid.UUID) -> ContactFacts:
    contact = contact_of(uow, contact_point_id)
    require_rota_editor(actor, contact)
    require_home(contact, uow.node_id)
    return contact


def known_person(uow: ReadinessUnitOfWork, person: DutyPerson) -> DutyPerson:
    if person.user_id is not None and uow.readiness_network.person(person.user_id) is None:
        raise InvalidInput(f"no user with id {person.user_id} to put on duty")
    return person


def refresh_desk(uow: ReadinessUnitOfWork, contact: ContactFacts, at: datetime) -> bool:
    """Compare the desk with its rota at `at`; tell once when someone else, or nobody, holds it."""
    state = desk_state(uow.duty_shifts.at_desk(contact.id, at, at + _INSTANT), at)
    desk = uow.duty_desks.find(contact.id)
    if desk is None:
        # A desk enters the board with its first shift; it was unstaffed (by the rota) until then.
        desk = Desk(
            id=contact.id, label=contact.label, status=DeskStatus.UNSTAFFED, holder_shift_id=None, since=at
        )
        uow.duty_desks.add(desk)
    desk.label = contact.label
    if not desk.refresh(state, at):
        return False
    if state.holder is None:
        desk.record(e.DeskUnstaffed(label=contact.label, contact_point_id=contact.id, since=at))
    else:
        desk.record(
            e.DeskStaffed(
                label=contact.label,
                contact_point_id=contact.id,
                shift_id=state.holder.id,
                person_name=state.holder.person.name,
                role=state.holder.role.value,
            )
        )
    return True


def new_shift(
    contact: ContactFacts,
    person: DutyPerson,
    role: ShiftRole,
    period: tuple[datetime, datetime],
    actor: Actor,
    moment: datetime,
) -> DutyShift:
    starts_at = not_before_now(aware(period[0], "the start of the shift"), moment, "the start of a shift")
    check_period(starts_at, period[1])
    shift = DutyShift(
        id=new_id(),
        label=contact.label,
        contact_point_id=contact.id,
        person=person,
        role=role,
        starts_at=starts_at,
        ends_at=period[1],
        created_at=moment,
        created_by=actor.user_id,
    )
    shift.record(
        e.ShiftScheduled(
            label=contact.label,
            shift_id=shift.id,
            contact_point_id=contact.id,
            person_name=person.name,
            role=role.value,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
        )
    )
    return shift


def add_shift(uow: ReadinessUnitOfWork, shift: DutyShift) -> None:
    refuse_overlap(shift, uow.duty_shifts.at_desk(shift.contact_point_id, shift.starts_at, shift.ends_at))
    uow.duty_shifts.add(shift)


def schedule_shift(cmd: c.ScheduleShift, uow: ReadinessUnitOfWork, now: Now) -> uuid.UUID:
    contact = _editable(cmd.actor, uow, cmd.contact_point_id)
    moment = now()
    person = known_person(uow, cmd.person)
    shift = new_shift(contact, person, cmd.role, (cmd.starts_at, cmd.ends_at), cmd.actor, moment)
    add_shift(uow, shift)
    refresh_desk(uow, contact, moment)
    uow.commit()
    return shift.id


def change_shift(cmd: c.ChangeShift, uow: ReadinessUnitOfWork, now: Now) -> None:
    shift = uow.duty_shifts.get(cmd.shift_id)
    contact = _editable(cmd.actor, uow, shift.contact_point_id)
    check_version(shift, cmd.expected_version, "shift")
    moment = now()
    shift.require_changeable(moment)
    changed = []
    if cmd.starts_at is not None or cmd.ends_at is not None:
        starts = aware(cmd.starts_at, "the start") if cmd.starts_at else shift.starts_at
        ends = aware(cmd.ends_at, "the end") if cmd.ends_at else shift.ends_at
        if (starts, ends) != (shift.starts_at, shift.ends_at):
            shift.reschedule(starts, ends, moment)
            changed.append("period")
    for name, value in (("person", cmd.person), ("role", cmd.role)):
        if value is not None and value != getattr(shift, name):
            if shift.has_started(moment):
                raise Conflict(
                    f"this shift has started: its {name} cannot change; hand the desk over instead"
                )
            setattr(shift, name, known_person(uow, value) if isinstance(value, DutyPerson) else value)
            changed.append(name)
    if not changed:
        return
    refuse_overlap(shift, uow.duty_shifts.at_desk(shift.contact_point_id, shift.starts_at, shift.ends_at))
    shift.record(
        e.ShiftChanged(
            label=contact.label, shift_id=shift.id, contact_point_id=contact.id, changed=tuple(changed)
        )
    )
    refresh_desk(uow, contact, moment)
    uow.commit()


def remove_shift(cmd: c.RemoveShift, uow: ReadinessUnitOfWork, now: Now) -> None:
    shift = uow.duty_shifts.get(cmd.shift_id)
    contact = _editable(cmd.actor, uow, shift.contact_point_id)
    check_version(shift, cmd.expected_version, "shift")
    moment = now()
    if shift.has_started(moment):
        raise Conflict("a shift that has started cannot be removed (it is history); change its end instead")
    shift.record(e.ShiftRemoved(label=contact.label, shift_id=shift.id, contact_point_id=contact.id))
    uow.duty_shifts.remove(shift)
    refresh_desk(uow, contact, moment)
    uow.commit()


def annotate_shift(cmd: c.AnnotateShift, uow: ReadinessUnitOfWork, now: Now) -> None:
    """Anyone who may edit the rota, and the person on the shift, may add a note, even afterwards."""
    shift = uow.duty_shifts.get(cmd.shift_id)
    contact = contact_of(uow, shift.contact_point_id)
    own = cmd.actor.user_id is not None and cmd.actor.user_id == shift.person.user_id
    if not own:
        require_rota_editor(cmd.actor, contact)
    require_home(contact, uow.node_id)
    shift.annotate(cmd.text, cmd.actor.user_id, now())
    shift.record(e.ShiftAnnotated(label=contact.label, shift_id=shift.id, contact_point_id=contact.id))
    uow.commit()
