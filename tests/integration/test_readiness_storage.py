"""The rota and communication tests through the bus and the database, on SQLite and PostgreSQL.

What is stored comes back whole; refused commands write nothing; codes are stored only hashed; the
platform's schedule escalates and closes runs as its clock moves; results per partner come out of SQL;
and the queries show a rota or a result only to those who may see its point of contact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import comm_tests, rota
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.app.schedule import run_once
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.plans import Recurrence
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, NotFound
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World, build_world, make_platform

START = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
H = timedelta(hours=1)
READINESS_TABLES = (
    t.duty_shifts,
    t.duty_desks,
    t.duty_handovers,
    t.comm_test_plans,
    t.comm_test_runs,
    t.comm_test_probes,
    t.comm_test_messages,
)


@dataclass
class Node:
    world: World
    clock: FixedClock
    sender: RecordingSender

    def viewer(self, username: str) -> Viewer:
        return Viewer(user_id=self.world.users[username], partner_id=self.world.user_partner[username])

    def rows(self) -> dict[str, int]:
        with self.world.platform.engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (*READINESS_TABLES, t.events, t.audit_log)
            }

    def codes(self, run_id: uuid.UUID) -> dict[str, str]:
        return {m.recipient.name + "/" + m.recipient.channel: m.code for m, _ in self.sender.for_run(run_id)}


@pytest.fixture
def node(db_url: str) -> Iterator[Node]:
    clock = FixedClock(START)
    sender = RecordingSender("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    yield Node(build_world(platform), clock, sender)
    platform.stop()


def _shift(
    node: Node, contact: uuid.UUID, person: str, start: timedelta, end: timedelta, role: ShiftRole
) -> uuid.UUID:
    shift_id = node.world.platform.bus.handle(
        c.ScheduleShift(
            actor=node.world.actor("be.duty"),
            contact_point_id=contact,
            person=DutyPerson(name=person, phone="+32 2 000 00 00"),
            role=role,
            starts_at=START + start,
            ends_at=START + end,
        )
    )
    assert isinstance(shift_id, uuid.UUID)
    return shift_id


def test_a_rota_is_stored_refuses_overlaps_and_hands_over(node: Node) -> None:
    desk = node.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    anna = _shift(node, desk, "Anna", 0 * H, 8 * H, ShiftRole.PRIMARY)
    bram = _shift(node, desk, "Bram", 8 * H, 16 * H, ShiftRole.PRIMARY)
    _shift(node, desk, "Dirk", 0 * H, 16 * H, ShiftRole.DEPUTY)
    before = node.rows()
    with pytest.raises(Conflict, match="Anna"):
        _shift(node, desk, "Clara", 4 * H, 10 * H, ShiftRole.PRIMARY)
    assert node.rows() == before, "a refused shift writes nothing, not even an audit entry"
    duty = rota.on_duty(node.world.platform.engine, node.viewer("nl.duty"), desk, node.clock.now())
    assert duty.holder is not None
    assert (duty.holder.person_name, [d.person_name for d in duty.deputies]) == ("Anna", ["Dirk"])
    assert duty.next_shift is not None
    assert duty.next_shift.person_name == "Bram"
    node.clock.advance(7 * H + 50 * MINUTE)
    node.world.platform.bus.handle(
        c.HandOverDesk(
            actor=node.world.actor("be.duty"), contact_point_id=desk, to_shift_id=bram, note="All quiet"
        )
    )
    engine, viewer, now = node.world.platform.engine, node.viewer("be.duty"), node.clock.now()
    [handover] = rota.handovers(engine, viewer, desk)
    assert (handover.from_name, handover.to_name, handover.note, handover.at) == (
        "Anna",
        "Bram",
        "All quiet",
        now,
    )
    shifts = {s.id: s for s in rota.shifts(engine, viewer, desk, START, START + 24 * H)}
    assert shifts[anna].ends_at == now
    assert shifts[bram].starts_at == now
    node.world.platform.bus.handle(
        c.AnnotateShift(actor=node.world.actor("be.duty"), shift_id=anna, text="Handed over early")
    )
    assert rota.get_shift(engine, viewer, anna).notes[0].text == "Handed over early"


def test_a_desk_left_unstaffed_is_told_once_by_the_schedule(node: Node) -> None:
    desk = node.world.contact("BE-NCCN", Tlp.GREEN)
    _shift(node, desk, "Anna", 0 * H, 1 * H, ShiftRole.PRIMARY)
    node.clock.advance(2 * H)
    run_once(node.world.platform.bus)
    run_once(node.world.platform.bus)
    with node.world.platform.engine.connect() as conn:
        told = conn.execute(
            sa.select(sa.func.count()).where(t.events.c.type == "crisislink.readiness.desk_unstaffed")
        ).scalar_one()
        status = conn.execute(sa.select(t.duty_desks.c.status).where(t.duty_desks.c.id == desk)).scalar_one()
    assert (told, status) == (1, "unstaffed")
    duty = rota.on_duty(node.world.platform.engine, node.viewer("be.duty"), desk, node.clock.now())
    assert not duty.staffed
    assert duty.has_rota


def test_the_rota_of_a_contact_you_may_not_see_is_invisible(node: Node) -> None:
    private = node.world.contact("NL-VR23", Tlp.AMBER_STRICT, name="VR23 internal desk")
    shared = node.world.contact(
        "NL-VR23", Tlp.AMBER, frozenset({Principal.partner(node.world.partners["BE-NCCN"])}), name="VR23 desk"
    )
    for desk in (private, shared):
        node.world.platform.bus.handle(
            c.ScheduleShift(
                actor=node.world.actor("nl.duty"),
                contact_point_id=desk,
                person=DutyPerson(name="Noor", phone="+31 43 000 0000"),
                role=ShiftRole.PRIMARY,
                starts_at=START,
                ends_at=START + 8 * H,
            )
        )
    engine, now = node.world.platform.engine, node.clock.now()
    belgian, liege = node.viewer("be.duty"), node.viewer("liege.duty")
    with pytest.raises(NotFound):
        rota.on_duty(engine, belgian, private, now)
    with pytest.raises(NotFound):
        rota.shifts(engine, belgian, private, START, START + H)
    assert rota.on_duty(engine, belgian, shared, now).holder is not None
    with pytest.raises(NotFound):
        rota.on_duty(engine, liege, shared, now)  # AMBER for NCCN, not for the province
    board = rota.duty_board(engine, belgian, now)
    seen = {d.contact_point_id for p in board for d in p.desks}
    assert shared in seen
    assert private not in seen
    own = rota.partner_on_duty(engine, node.viewer("nl.duty"), node.world.partners["NL-VR23"], now)
    assert {d.contact_point_id for d in own} == {private, shared}


def test_a_communication_test_escalates_closes_and_keeps_only_hashed_codes(node: Node) -> None:
    node.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    node.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    hidden = node.world.contact("NL-VR23", Tlp.AMBER_STRICT, name="VR23 internal")
    run_id = node.world.platform.bus.handle(
        c.StartCommTest(
            actor=node.world.actor("be.duty"), name="Q2 test", message="Please acknowledge", answer_minutes=60
        )
    )
    assert isinstance(run_id, uuid.UUID)
    codes = node.codes(run_id)
    assert set(codes) == {"NCCN desk/email", "VR23 desk/email"}  # the hidden desk is not tested
    with node.world.platform.engine.connect() as conn:
        stored = conn.execute(sa.select(t.comm_test_messages)).mappings().all()
    assert {row["delivery"] for row in stored} == {"sent"}
    assert not any(code in str(dict(row)) for row in stored for code in codes.values())
    node.clock.advance(6 * MINUTE)
    node.world.platform.bus.handle(c.AcknowledgeCommTest(actor=SYSTEM, token=codes["NCCN desk/email"]))
    with pytest.raises(Conflict):
        node.world.platform.bus.handle(c.AcknowledgeCommTest(actor=SYSTEM, token=codes["NCCN desk/email"]))
    node.clock.advance(15 * MINUTE)
    run_once(node.world.platform.bus)  # VR23's desk has no rota, no other desk: on to... nobody left
    node.clock.advance(40 * MINUTE)
    run_once(node.world.platform.bus)
    engine = node.world.platform.engine
    run = comm_tests.get_run(engine, node.viewer("be.duty"), run_id)
    outcomes = {p.contact_name: p.outcome for p in run.probes}
    assert outcomes == {"NCCN desk": "acknowledged", "VR23 desk": "no_answer"}
    assert run.summary.status == "closed"
    assert hidden not in {p.contact_point_id for p in run.probes}
    [result] = comm_tests.partner_results(engine, node.viewer("nl.duty"), node.world.partners["BE-NCCN"])
    assert (result.answered, result.contacts, result.median_seconds, result.max_seconds) == (
        1,
        1,
        360.0,
        360.0,
    )
    [silent] = comm_tests.partner_results(engine, node.viewer("nl.duty"), node.world.partners["NL-VR23"])
    assert (silent.answer_rate, silent.median_seconds) == (0.0, None)


def test_escalation_reaches_the_deputy_on_the_rota_then_the_national_desk(node: Node) -> None:
    province = node.world.contact("BE-PROV-LIEGE", Tlp.GREEN, name="Liège desk")
    national = node.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    node.world.platform.bus.handle(
        c.ScheduleShift(
            actor=node.world.actor("liege.duty"),
            contact_point_id=province,
            person=DutyPerson(name="Deputy Dirk", phone="+32 4 000 00 09"),
            role=ShiftRole.DEPUTY,
            starts_at=START,
            ends_at=START + 8 * H,
        )
    )
    run_id = node.world.platform.bus.handle(
        c.StartCommTest(
            actor=node.world.actor("be.duty"),
            name="Liège only",
            message="Test",
            partners=frozenset({node.world.partners["BE-PROV-LIEGE"]}),
            answer_minutes=120,
        )
    )
    assert isinstance(run_id, uuid.UUID)
    for _ in range(2):
        node.clock.advance(15 * MINUTE)
        run_once(node.world.platform.bus)
    codes = node.codes(run_id)
    assert set(codes) == {"Liège desk/email", "Deputy Dirk/phone", "NCCN desk/email"}
    node.clock.advance(2 * MINUTE)
    node.world.platform.bus.handle(c.AcknowledgeCommTest(actor=SYSTEM, token=codes["NCCN desk/email"]))
    run = comm_tests.get_run(node.world.platform.engine, node.viewer("liege.duty"), run_id)
    [probe] = run.probes
    assert probe.outcome == "acknowledged_after_escalation"
    assert probe.delay_seconds == 32 * 60
    assert probe.step_kind == "national_desk"
    assert [m.channel for m in probe.messages] == ["email", "phone", "email"]
    assert national != province


def test_a_recurring_plan_is_run_by_the_schedule(node: Node) -> None:
    node.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    plan_id = node.world.platform.bus.handle(
        c.PlanCommTest(
            actor=node.world.actor("be.duty"),
            name="Quarterly",
            message="Quarterly test",
            recurrence=Recurrence.QUARTERLY,
            first_run_at=START + H,
        )
    )
    assert isinstance(plan_id, uuid.UUID)
    node.clock.advance(H)
    run_once(node.world.platform.bus)
    engine, viewer = node.world.platform.engine, node.viewer("nl.duty")
    [run] = comm_tests.runs(engine, viewer)
    assert run.plan_id == plan_id
    assert comm_tests.get_plan(engine, viewer, plan_id).next_run_at == datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
