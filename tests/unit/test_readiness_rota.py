"""The rota of a desk: who holds it now, overlapping primaries refused, the past kept, hand-overs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crisislink.domains.readiness import comm_test_handlers as th
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness import handover_handlers as hh
from crisislink.domains.readiness import rota_handlers as rh
from crisislink.domains.readiness.delivery import CommTestRules
from crisislink.domains.readiness.rota import DeskStatus, DutyPerson, ShiftRole, desk_state
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, CrisislinkError, InvalidInput, PermissionDenied
from crisislink.kernel.messages import SYSTEM, Actor
from tests.unit.readiness_fakes import FakeNetwork, FakeReadinessUnitOfWork, FakeSender

START = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)
H = timedelta(hours=1)
ANNA = DutyPerson(name="Anna Peeters", phone="+32 2 000 00 01")
BRAM = DutyPerson(name="Bram de Vries", phone="+31 43 000 00 02")
CLARA = DutyPerson(name="Clara Weber", phone="+352 000 003")


class Desk:
    """One 24/7 desk of a partner, its duty officer, and a clock that moves when told."""

    def __init__(self) -> None:
        self.network = FakeNetwork()
        self.partner = self.network.add_partner("BE", "national_crisis_centre")
        self.other = self.network.add_partner("NL")
        self.contact = self.network.add_contact(self.partner, "NCCN 24/7 desk")
        self.uow = FakeReadinessUnitOfWork(self.network)
        self.clock = FixedClock(START)
        self.officer = Actor(user_id=uuid.uuid4(), partner_id=self.partner, roles=frozenset({"duty_officer"}))
        self.stranger = Actor(user_id=uuid.uuid4(), partner_id=self.other, roles=frozenset({"duty_officer"}))

    def shift(
        self,
        person: DutyPerson,
        start: timedelta,
        end: timedelta,
        role: ShiftRole = ShiftRole.PRIMARY,
        actor: Actor | None = None,
    ) -> uuid.UUID:
        cmd = c.ScheduleShift(
            actor=actor or self.officer,
            contact_point_id=self.contact.id,
            person=person,
            role=role,
            starts_at=START + start,
            ends_at=START + end,
        )
        shift_id: uuid.UUID = rh.schedule_shift(cmd, self.uow, self.clock.now)
        return shift_id

    def refused(self, action: Callable[[], Any]) -> CrisislinkError:
        commits = self.uow.commits
        with pytest.raises(CrisislinkError) as raised:
            action()
        self.uow.rollback()
        assert self.uow.commits == commits, "a refused command must not commit"
        return raised.value

    def holder(self) -> str | None:
        state = desk_state(
            self.uow.duty_shifts.at_desk(self.contact.id, START - 30 * H, START + 30 * H), self.clock.now()
        )
        return state.holder.person.name if state.holder else None

    def tick(self) -> int:
        done: int = th.run_schedule(
            c.RunReadinessSchedule(actor=SYSTEM), self.uow, FakeSender(), self.clock.now, CommTestRules()
        )
        return done


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_the_primary_on_shift_holds_the_desk_else_a_deputy_else_nobody(desk: Desk) -> None:
    desk.shift(ANNA, 0 * H, 8 * H)
    desk.shift(BRAM, 0 * H, 12 * H, ShiftRole.DEPUTY)
    assert desk.holder() == "Anna Peeters"
    desk.clock.advance(9 * H)
    assert desk.holder() == "Bram de Vries"  # acting for the absent primary
    desk.clock.advance(4 * H)
    assert desk.holder() is None


def test_overlapping_primaries_are_refused_with_a_clear_error(desk: Desk) -> None:
    desk.shift(ANNA, 0 * H, 8 * H)
    error = desk.refused(lambda: desk.shift(BRAM, 7 * H, 15 * H))
    assert isinstance(error, Conflict)
    assert "Anna Peeters" in error.message
    assert "two primaries" in error.message
    desk.shift(BRAM, 8 * H, 16 * H)  # back to back is fine: shifts are half-open
    desk.shift(CLARA, 7 * H, 9 * H, ShiftRole.DEPUTY)  # deputies overlap anything


def test_shifts_in_the_past_cannot_be_changed_only_annotated(desk: Desk) -> None:
    shift_id = desk.shift(ANNA, 0 * H, 8 * H)
    desk.clock.advance(9 * H)
    change = c.ChangeShift(actor=desk.officer, shift_id=shift_id, expected_version=1, ends_at=START + 10 * H)
    error = desk.refused(lambda: rh.change_shift(change, desk.uow, desk.clock.now))
    assert isinstance(error, Conflict)
    assert "only annotated" in error.message
    rh.annotate_shift(
        c.AnnotateShift(actor=desk.officer, shift_id=shift_id, text="Phone line 2 was out 03:10-03:40"),
        desk.uow,
        desk.clock.now,
    )
    assert desk.uow.duty_shifts.get(shift_id).notes[0].text.startswith("Phone line 2")
    late = c.ScheduleShift(
        actor=desk.officer,
        contact_point_id=desk.contact.id,
        person=BRAM,
        role=ShiftRole.PRIMARY,
        starts_at=START,
        ends_at=START + 2 * H,
    )
    assert (
        "cannot be in the past"
        in desk.refused(lambda: rh.schedule_shift(late, desk.uow, desk.clock.now)).message
    )


def test_a_running_shift_keeps_its_start_and_cannot_be_removed(desk: Desk) -> None:
    shift_id = desk.shift(ANNA, 0 * H, 8 * H)
    desk.clock.advance(2 * H)
    move = c.ChangeShift(actor=desk.officer, shift_id=shift_id, expected_version=1, starts_at=START + H)
    assert isinstance(desk.refused(lambda: rh.change_shift(move, desk.uow, desk.clock.now)), Conflict)
    remove = c.RemoveShift(actor=desk.officer, shift_id=shift_id, expected_version=1)
    assert isinstance(desk.refused(lambda: rh.remove_shift(remove, desk.uow, desk.clock.now)), Conflict)
    extend = c.ChangeShift(actor=desk.officer, shift_id=shift_id, expected_version=1, ends_at=START + 9 * H)
    rh.change_shift(extend, desk.uow, desk.clock.now)
    assert desk.uow.duty_shifts.get(shift_id).ends_at == START + 9 * H


def test_a_start_just_behind_now_is_taken_as_now(desk: Desk) -> None:
    desk.clock.advance(timedelta(minutes=2))
    shift_id = desk.shift(ANNA, 0 * H, 8 * H)
    assert desk.uow.duty_shifts.get(shift_id).starts_at == desk.clock.now()


def test_another_partner_cannot_touch_the_rota(desk: Desk) -> None:
    error = desk.refused(lambda: desk.shift(ANNA, 0 * H, 8 * H, actor=desk.stranger))
    assert isinstance(error, PermissionDenied)


def test_hand_over_ends_the_outgoing_shift_and_starts_the_incoming_now(desk: Desk) -> None:
    outgoing = desk.shift(ANNA, 0 * H, 8 * H)
    incoming = desk.shift(BRAM, 8 * H, 16 * H)
    desk.clock.advance(7 * H + timedelta(minutes=45))  # a quarter of an hour early
    cmd = c.HandOverDesk(
        actor=desk.officer,
        contact_point_id=desk.contact.id,
        to_shift_id=incoming,
        note="Flood watch on the Meuse",
    )
    handover_id = hh.hand_over(cmd, desk.uow, desk.clock.now)
    now = desk.clock.now()
    assert desk.uow.duty_shifts.get(outgoing).ends_at == now
    assert desk.uow.duty_shifts.get(incoming).starts_at == now
    assert desk.holder() == "Bram de Vries"
    handover = desk.uow.handovers.get(handover_id)
    assert (handover.from_shift_id, handover.to_shift_id, handover.note) == (
        outgoing,
        incoming,
        "Flood watch on the Meuse",
    )
    [told] = desk.uow.of_type(e.DeskHandedOver)
    assert (told.from_name, told.to_name) == ("Anna Peeters", "Bram de Vries")
    assert "Flood watch" not in repr(told)  # the note stays in the record and the audit trail
    assert desk.uow.of_type(e.DeskStaffed)[-1].person_name == "Bram de Vries"


def test_the_holder_hands_over_to_a_person_until_a_time_even_without_editing_rights(desk: Desk) -> None:
    user = desk.network.add_person(desk.partner, "Anna Peeters")
    desk.shift(DutyPerson(name="Anna Peeters", user_id=user), 0 * H, 8 * H)
    desk.clock.advance(3 * H)
    anna = Actor(user_id=user, partner_id=desk.partner, roles=frozenset({"observer"}))
    cmd = c.HandOverDesk(
        actor=anna,
        contact_point_id=desk.contact.id,
        to_person=CLARA,
        until=START + 8 * H,
        note="Feeling unwell",
    )
    hh.hand_over(cmd, desk.uow, desk.clock.now)
    assert desk.holder() == "Clara Weber"


def test_a_hand_over_needs_a_note_and_a_right_to_it(desk: Desk) -> None:
    desk.shift(ANNA, 0 * H, 8 * H)
    incoming = desk.shift(BRAM, 8 * H, 16 * H)
    silent = c.HandOverDesk(
        actor=desk.officer, contact_point_id=desk.contact.id, to_shift_id=incoming, note=" "
    )
    assert isinstance(desk.refused(lambda: hh.hand_over(silent, desk.uow, desk.clock.now)), InvalidInput)
    foreign = c.HandOverDesk(
        actor=desk.stranger, contact_point_id=desk.contact.id, to_shift_id=incoming, note="x"
    )
    assert isinstance(desk.refused(lambda: hh.hand_over(foreign, desk.uow, desk.clock.now)), PermissionDenied)


def test_a_late_hand_over_records_who_handed_over_without_moving_the_rota(desk: Desk) -> None:
    outgoing = desk.shift(ANNA, 0 * H, 8 * H)
    incoming = desk.shift(BRAM, 8 * H, 16 * H)
    desk.clock.advance(8 * H + timedelta(minutes=10))
    cmd = c.HandOverDesk(
        actor=desk.officer, contact_point_id=desk.contact.id, to_shift_id=incoming, note="Quiet"
    )
    handover = desk.uow.handovers.get(hh.hand_over(cmd, desk.uow, desk.clock.now))
    assert handover.from_shift_id == outgoing
    assert desk.uow.duty_shifts.get(incoming).starts_at == START + 8 * H


def test_an_unstaffed_desk_is_told_once(desk: Desk) -> None:
    desk.shift(ANNA, 0 * H, 8 * H)
    assert desk.uow.duty_desks.get(desk.contact.id).status is DeskStatus.STAFFED
    desk.clock.advance(8 * H)
    assert desk.tick() == 1
    assert desk.uow.duty_desks.get(desk.contact.id).status is DeskStatus.UNSTAFFED
    [unstaffed] = desk.uow.of_type(e.DeskUnstaffed)
    assert unstaffed.contact_point_id == desk.contact.id
    assert unstaffed.label == desk.contact.label
    assert desk.tick() == 0
    assert len(desk.uow.of_type(e.DeskUnstaffed)) == 1


def test_rota_records_carry_their_contacts_label(desk: Desk) -> None:
    shift_id = desk.shift(ANNA, 0 * H, 8 * H)
    assert desk.uow.duty_shifts.get(shift_id).label == desk.contact.label
    assert all(event.label == desk.contact.label for event in desk.uow.events)
