"""Communication tests: messages with single-use codes, acknowledgements and their delays, the escalation
chain, the deadline, results per partner, and recurring plans."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crisislink.domains.readiness import comm_test_handlers as th
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness import plan_handlers as ph
from crisislink.domains.readiness import rota_handlers as rh
from crisislink.domains.readiness.delivery import CommTestRules
from crisislink.domains.readiness.plans import Recurrence, next_occurrence, occurrence
from crisislink.domains.readiness.ports import OutgoingMessage
from crisislink.domains.readiness.results import ProbeResult, summarise
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.domains.readiness.runs import Delivery, Outcome, Probe, StepKind, hash_code
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, NotFound
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor
from tests.unit.readiness_fakes import FakeNetwork, FakeReadinessUnitOfWork, FakeSender

START = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
RULES = CommTestRules(escalate_after=15 * MINUTE)


class Network:
    """BE's national centre organises; NL has a safety region with two 24/7 desks and a national centre."""

    def __init__(self) -> None:
        self.net = FakeNetwork()
        self.nccn = self.net.add_partner("BE", "national_crisis_centre")
        self.region = self.net.add_partner("NL")
        self.ncc = self.net.add_partner("NL", "national_crisis_centre")
        self.nccn_desk = self.net.add_contact(
            self.nccn, "NCCN desk", channels=(("email", "desk@nccn.example"),)
        )
        self.region_desk = self.net.add_contact(
            self.region, "VR23 desk", channels=(("phone", "+31 43 000 0001"), ("email", "desk@vr23.example"))
        )
        self.region_backup = self.net.add_contact(
            self.region, "VR23 backup desk", channels=(("radio", "C2000 TG 2301"),)
        )
        self.ncc_desk = self.net.add_contact(
            self.ncc, "NCC desk", channels=(("secure_line", "+31 70 000 0000"),)
        )
        self.uow = FakeReadinessUnitOfWork(self.net)
        self.sender = FakeSender()
        self.clock = FixedClock(START)
        self.organiser = Actor(user_id=uuid.uuid4(), partner_id=self.nccn, roles=frozenset({"duty_officer"}))

    def start(self, partners: frozenset[uuid.UUID] = frozenset(), minutes: int = 60) -> uuid.UUID:
        cmd = c.StartCommTest(
            actor=self.organiser,
            name="Q2 Benelux test",
            message="Test, please acknowledge.",
            partners=partners,
            answer_minutes=minutes,
        )
        run_id: uuid.UUID = th.start_comm_test(cmd, self.uow, self.sender, self.clock.now, RULES)
        return run_id

    def code_for(self, address: str) -> str:
        return self.sender.to(address)[-1].code

    def ack(self, code: str) -> th.AckReceipt:
        receipt: th.AckReceipt = th.acknowledge(
            c.AcknowledgeCommTest(actor=SYSTEM, token=code), self.uow, self.clock.now
        )
        return receipt

    def tick(self) -> int:
        done: int = th.run_schedule(
            c.RunReadinessSchedule(actor=SYSTEM), self.uow, self.sender, self.clock.now, RULES
        )
        return done

    def probe_of(self, run_id: uuid.UUID, contact_id: uuid.UUID) -> Probe:
        run = self.uow.comm_test_runs.get(run_id)
        return next(p for p in run.probes if p.contact_point_id == contact_id)


@pytest.fixture
def net() -> Network:
    return Network()


def test_a_run_sends_one_message_per_channel_of_every_contact_with_a_code_kept_only_hashed(
    net: Network,
) -> None:
    run_id = net.start()
    run = net.uow.comm_test_runs.get(run_id)
    assert len(run.probes) == 4
    assert sorted(m.recipient.channel for m in net.sender.sent) == [
        "email",
        "email",
        "phone",
        "radio",
        "secure_line",
    ]
    codes = {m.code for m in net.sender.sent}
    assert len(codes) == 5
    assert all(len(code) == 43 for code in codes)
    stored = [m for p in run.probes for m in p.messages]
    assert {m.token_hash for m in stored} == {hash_code(code) for code in codes}
    assert all(m.code is None and m.delivery is Delivery.SENT for m in stored)  # the clear code is gone
    assert codes.isdisjoint(repr(run).split("'"))
    [started] = net.uow.of_type(e.CommTestStarted)
    assert started.contacts == 4
    assert started.label.marking is Tlp.GREEN


def test_an_acknowledgement_records_its_delay_and_each_code_works_once(net: Network) -> None:
    run_id = net.start()
    code = net.code_for("desk@vr23.example")
    net.clock.advance(7 * MINUTE)
    receipt = net.ack(code)
    assert (receipt.contact_name, receipt.delay, receipt.after_escalation) == ("VR23 desk", 7 * MINUTE, False)
    probe = net.probe_of(run_id, net.region_desk.id)
    assert probe.outcome is Outcome.ACKNOWLEDGED
    assert probe.delay == 7 * MINUTE
    assert probe.acknowledged_via == "email: VR23 desk"
    with pytest.raises(Conflict, match="used already"):
        net.ack(code)
    net.uow.rollback()
    with pytest.raises(Conflict, match="acknowledged this test already"):
        net.ack(net.code_for("+31 43 000 0001"))  # the same desk's other channel
    net.uow.rollback()
    [told] = net.uow.of_type(e.CommTestAcknowledged)
    assert told.delay_seconds == 420
    assert not told.after_escalation


def test_an_unknown_or_malformed_code_is_not_found(net: Network) -> None:
    net.start()
    with pytest.raises(NotFound):
        net.ack("A" * 43)
    with pytest.raises(NotFound):
        net.ack("../../etc/passwd")


def test_a_failed_channel_is_recorded_not_fatal(net: Network) -> None:
    net.sender.failing.add("radio")
    run_id = net.start()
    probe = net.probe_of(run_id, net.region_backup.id)
    [message] = probe.messages
    assert message.delivery is Delivery.FAILED
    assert message.detail == "the line is down"


def test_no_answer_escalates_to_the_deputy_then_the_other_desk_then_the_national_desk(net: Network) -> None:
    rh.schedule_shift(
        c.ScheduleShift(
            actor=SYSTEM,
            contact_point_id=net.region_desk.id,
            person=DutyPerson(name="Deputy Dirk", phone="+31 6 0000 0009"),
            role=ShiftRole.DEPUTY,
            starts_at=START,
            ends_at=START + timedelta(hours=8),
        ),
        net.uow,
        net.clock.now,
    )
    run_id = net.start(minutes=120)
    for backup_answer in ("C2000 TG 2301",):  # the backup desk answers its own probe at once
        net.ack(net.code_for(backup_answer))
    chain = net.probe_of(run_id, net.region_desk.id).chain
    kinds = [(step.kind, step.contact_point_id) for step in chain]
    assert kinds == [
        (StepKind.CONTACT, net.region_desk.id),
        (StepKind.ROTA, net.region_desk.id),
        (StepKind.PARTNER_DESK, net.region_backup.id),
        (StepKind.NATIONAL_DESK, net.ncc_desk.id),
    ]
    net.clock.advance(15 * MINUTE)
    net.tick()
    assert net.sender.to("+31 6 0000 0009")[0].on_behalf_of == "VR23 desk"
    net.clock.advance(15 * MINUTE)
    net.tick()
    assert len(net.sender.to("C2000 TG 2301")) == 2  # the other desk, asked on the first one's behalf
    net.clock.advance(15 * MINUTE)
    net.tick()
    national = net.sender.to("+31 70 000 0000")
    assert [m.on_behalf_of for m in national] == [None, "VR23 desk"]
    net.clock.advance(3 * MINUTE)
    receipt = net.ack(national[-1].code)
    assert receipt.after_escalation
    assert receipt.delay == 48 * MINUTE
    probe = net.probe_of(run_id, net.region_desk.id)
    assert probe.outcome is Outcome.AFTER_ESCALATION
    escalated = [
        ev.step_kind
        for ev in net.uow.of_type(e.CommTestEscalated)
        if ev.contact_point_id == net.region_desk.id
    ]
    assert escalated == ["rota", "partner_desk", "national_desk"]


def test_the_rota_step_is_skipped_when_nobody_is_on_duty(net: Network) -> None:
    run_id = net.start()
    net.clock.advance(15 * MINUTE)
    net.tick()
    probe = net.probe_of(run_id, net.region_desk.id)
    assert probe.chain[probe.step].kind is StepKind.PARTNER_DESK


def test_the_run_closes_at_its_deadline_and_the_silent_get_no_answer(net: Network) -> None:
    run_id = net.start(minutes=30)
    net.ack(net.code_for("desk@nccn.example"))
    net.clock.advance(30 * MINUTE)
    net.tick()
    run = net.uow.comm_test_runs.get(run_id)
    outcomes = sorted(p.outcome.value for p in run.probes)
    assert outcomes == ["acknowledged", "no_answer", "no_answer", "no_answer"]
    [closed] = net.uow.of_type(e.CommTestClosed)
    assert (closed.contacts, closed.answered) == (4, 1)
    with pytest.raises(Conflict, match="closed"):
        net.ack(net.code_for("desk@vr23.example"))


def test_the_organiser_records_an_answer_heard_by_phone(net: Network) -> None:
    run_id = net.start()
    net.clock.advance(4 * MINUTE)
    probe_id = net.probe_of(run_id, net.ncc_desk.id).id
    cmd = c.RecordCommTestAnswer(
        actor=net.organiser, run_id=run_id, probe_id=probe_id, via="call back from NCC"
    )
    th.record_answer(cmd, net.uow, net.clock.now)
    probe = net.probe_of(run_id, net.ncc_desk.id)
    assert probe.delay == 4 * MINUTE
    assert probe.acknowledged_via == "recorded: call back from NCC"
    assert net.uow.of_type(e.CommTestAcknowledged)[-1].recorded


def test_a_test_of_chosen_partners_is_amber_for_them_and_reaches_only_what_the_organiser_sees(
    net: Network,
) -> None:
    hidden = net.net.add_contact(net.region, "VR23 internal line", marking=Tlp.AMBER_STRICT)
    run_id = net.start(partners=frozenset({net.region}))
    run = net.uow.comm_test_runs.get(run_id)
    assert {p.contact_point_id for p in run.probes} == {net.region_desk.id, net.region_backup.id}
    assert hidden.id not in {p.contact_point_id for p in run.probes}
    assert run.label.marking is Tlp.AMBER
    assert {p.id for p in run.label.audience} == {net.region}


def test_results_per_partner_give_median_max_and_answer_rate() -> None:
    run_id = uuid.uuid4()
    summary = summarise(
        run_id,
        START,
        True,
        [
            ProbeResult(Outcome.ACKNOWLEDGED, 60.0),
            ProbeResult(Outcome.AFTER_ESCALATION, 1800.0),
            ProbeResult(Outcome.ACKNOWLEDGED, 300.0),
            ProbeResult(Outcome.NO_ANSWER, None),
        ],
    )
    assert (summary.contacts, summary.answered, summary.after_escalation) == (4, 3, 1)
    assert (summary.median_seconds, summary.max_seconds, summary.answer_rate) == (300.0, 1800.0, 0.75)
    silent = summarise(run_id, START, True, [ProbeResult(Outcome.NO_ANSWER, None)])
    assert (silent.median_seconds, silent.max_seconds, silent.answer_rate) == (None, None, 0.0)


def test_quarterly_occurrences_keep_the_local_time_and_the_end_of_month() -> None:
    anchor = datetime(2025, 1, 31, 9, 0, tzinfo=UTC)  # 10:00 in Brussels (winter)
    runs = [occurrence(anchor, Recurrence.QUARTERLY, n, "Europe/Brussels") for n in range(4)]
    assert [r.strftime("%m-%d %H:%M") for r in runs] == [
        "01-31 09:00",
        "04-30 08:00",
        "07-31 08:00",
        "10-31 09:00",
    ]
    monthly = next_occurrence(
        anchor, Recurrence.MONTHLY, datetime(2025, 2, 28, 12, tzinfo=UTC), "Europe/Brussels"
    )
    assert monthly == datetime(2025, 3, 31, 8, 0, tzinfo=UTC)  # 10:00 summer time, 31st again
    far = next_occurrence(anchor, Recurrence.WEEKLY, datetime(2035, 6, 1, tzinfo=UTC), "Europe/Brussels")
    assert far > datetime(2035, 6, 1, tzinfo=UTC)
    assert far - timedelta(weeks=1) <= datetime(2035, 6, 1, tzinfo=UTC)


def test_a_recurring_plan_runs_when_due_and_moves_to_its_next_date(net: Network) -> None:
    cmd = c.PlanCommTest(
        actor=net.organiser,
        name="Benelux quarterly test",
        message="Quarterly test",
        recurrence=Recurrence.QUARTERLY,
        first_run_at=START + timedelta(days=1),
    )
    plan_id = ph.plan_comm_test(cmd, net.uow, net.clock.now)
    assert net.uow.comm_test_plans.get(plan_id).next_run_at == START + timedelta(days=1)
    assert net.tick() == 0
    net.clock.advance(timedelta(days=1, minutes=1))
    assert net.tick() == 1
    [run] = net.uow.comm_test_runs.open_runs()
    assert run.plan_id == plan_id
    assert run.started_by is None
    assert net.uow.comm_test_plans.get(plan_id).next_run_at == datetime(2025, 7, 2, 8, 0, tzinfo=UTC)


def test_an_ad_hoc_plan_has_no_next_run(net: Network) -> None:
    plan_id = ph.plan_comm_test(
        c.PlanCommTest(actor=net.organiser, name="Ad hoc", message="Now"), net.uow, net.clock.now
    )
    plan = net.uow.comm_test_plans.get(plan_id)
    assert plan.next_run_at is None
    assert not plan.is_due(START + timedelta(days=400))


def test_the_message_tells_the_recipient_what_the_test_is(net: Network) -> None:
    net.start()
    message: OutgoingMessage = net.sender.sent[0]
    assert message.run_name == "Q2 Benelux test"
    assert message.text == "Test, please acknowledge."
    assert message.closes_at == START + 60 * MINUTE
