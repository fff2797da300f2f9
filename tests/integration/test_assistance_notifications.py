"""The 24/7 desks told of each step of a request for assistance, on SQLite and PostgreSQL.

July 2021 in miniature: the province of Liège (BE-PROV-LIEGE) asks Limburg-Noord (NL-VR23) and the NCCN
(BE-NCCN) for two water-rescue teams; Limburg-Noord offers both; Liège accepts. The CGDIS (LU-CGDIS) is asked
nothing and hears nothing. Each desk gets each notice once, whatever the dispatcher redelivers; a notice
whose sending was cut short goes out once its lease has run out (twice, perhaps, rather than never).
"""

from __future__ import annotations

import math
import socket
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from crisislink.adapters.bus.dispatcher import OutboxDispatcher
from crisislink.adapters.db import assistance_notifications as store
from crisislink.adapters.db import engine as engine_module
from crisislink.adapters.db import migrate
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine, writer
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.adapters.messaging.smtp import SmtpConfig, SmtpSender
from crisislink.app import assistance_notifications as notices
from crisislink.app.assistance_notifications import deliver_assistance_notifications
from crisislink.app.bus import MessageBus
from crisislink.app.schedule import run_once
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea
from crisislink.domains.readiness import commands as rc
from crisislink.domains.readiness.ports import DeliveryReport, Notice
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.domains.readiness.runs import Recipient
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import (
    IN_CI,
    World,
    build_world,
    fresh_postgres_database,
    make_platform,
    postgres_available,
)

START = datetime(2021, 7, 14, 9, 0, tzinfo=UTC)
LIEGE_DESK = "cic@liege.example"
NCCN_DESK = "desk@nccn.example"
VR23_DESK = "meldkamer@vr23.example"
VR23_ON_DUTY = "+31 77 000 0023"  # the officer holding VR23's desk this morning (rota)
CGDIS_DESK = "cns@cgdis.example"


@dataclass
class Flow:
    """The world with its desks, and the request and offer once `ask_offer_accept` has made them."""

    world: World
    clock: FixedClock
    sender: RecordingSender
    desks: dict[str, uuid.UUID] = field(default_factory=dict)
    request_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = None

    @property
    def bus(self) -> MessageBus:
        return self.world.platform.bus

    def deliver(self) -> int:
        return deliver_assistance_notifications(self.bus)


def desk(
    world: World, partner: str, name: str, channels: tuple[Channel, ...], languages: tuple[str, ...]
) -> uuid.UUID:
    contact_id: uuid.UUID = world.platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=world.partners[partner],
            role=ContactRole.DUTY_DESK_24_7,
            name=name,
            channels=channels,
            languages=languages,
            hours=StaffedHours(always=True),
            marking=Tlp.GREEN,
        )
    )
    return contact_id


def directory(world: World) -> dict[str, uuid.UUID]:
    """Every partner's desk; VR23's is held this morning by an officer reachable by phone."""
    world.partners["LU-CGDIS"] = world.platform.bus.handle(
        sc.RegisterPartner(
            actor=SYSTEM,
            code="LU-CGDIS",
            name="CGDIS",
            country="LU",
            kind=PartnerKind.NATIONAL_CRISIS_CENTRE,
            home_node_id=world.platform.node_id,
            languages=("fr", "de"),
        )
    )
    email, phone = ChannelKind.EMAIL, ChannelKind.PHONE
    desks = {
        "BE-PROV-LIEGE": desk(world, "BE-PROV-LIEGE", "CIC Liège", (Channel(email, LIEGE_DESK),), ("fr",)),
        # Its phone is listed first; the notice is written to its e-mail.
        "BE-NCCN": desk(
            world,
            "BE-NCCN",
            "NCCN desk",
            (Channel(phone, "+32 2 000 0000"), Channel(email, NCCN_DESK)),
            ("nl", "fr"),
        ),
        "NL-VR23": desk(world, "NL-VR23", "Meldkamer VR23", (Channel(email, VR23_DESK),), ("nl",)),
        "LU-CGDIS": desk(world, "LU-CGDIS", "CGDIS CNS", (Channel(email, CGDIS_DESK),), ("fr", "de")),
    }
    world.platform.bus.handle(
        rc.ScheduleShift(
            actor=world.actor("nl.duty"),
            contact_point_id=desks["NL-VR23"],
            person=DutyPerson(name="Officer of the watch (demo)", phone=VR23_ON_DUTY),
            role=ShiftRole.PRIMARY,
            starts_at=START,
            ends_at=START + timedelta(hours=12),
        )
    )
    return desks


@pytest.fixture
def flow(db_url: str) -> Iterator[Flow]:
    clock, sender = FixedClock(START), RecordingSender("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    world = build_world(platform)
    yield Flow(world, clock, sender, desks=directory(world))
    platform.stop()


def ask_offer_accept(flow: Flow) -> None:
    ask_and_offer(flow)
    accept(flow)


def ask_and_offer(flow: Flow) -> None:
    world, bus = flow.world, flow.bus
    flow.request_id = bus.handle(
        c.CreateAssistanceRequest(
            actor=world.actor("liege.duty"),
            capability="water.rescue",
            quantity=2,
            staging=StagingArea("Chaudfontaine fire station", Point(5.63, 50.59)),
            starts_at=START,
            ends_at=START + timedelta(days=3),
            support=HostNationSupport("CP-Ops Chaudfontaine (demo)", ("fr", "en"), "fuel and meals"),
            description="Evacuations along the Vesdre",
            incident_id=None,
            addressees=frozenset({world.partners["NL-VR23"], world.partners["BE-NCCN"]}),
        )
    )
    flow.offer_id = bus.handle(
        c.MakeOffer(
            actor=world.actor("nl.duty"),
            request_id=flow.request_id,
            available_from=START + timedelta(hours=1),
            quantity=2,
        )
    )


def accept(flow: Flow) -> None:
    assert flow.offer_id is not None
    flow.bus.handle(c.AcceptOffer(actor=flow.world.actor("liege.duty"), offer_id=flow.offer_id))


def rows(flow: Flow) -> list[Any]:
    n = t.assistance_notifications
    with flow.world.platform.engine.connect() as conn:
        return list(conn.execute(sa.select(n).order_by(n.c.created_at, n.c.id)))


def told(flow: Flow) -> Counter[tuple[str, str]]:
    """(address, step) of every notice handed to a channel."""
    steps = {row.id: row.event_type.removeprefix("crisislink.assistance.") for row in rows(flow)}
    return Counter((notice.recipient.address, steps[notice.notice_id]) for notice in flow.sender.notices)


EXPECTED = Counter(
    {
        (NCCN_DESK, "request_sent"): 1,
        (VR23_DESK, "request_sent"): 1,
        (VR23_ON_DUTY, "request_sent"): 1,
        (LIEGE_DESK, "offer_made"): 1,  # the requester hears of the offer, and only of it
        (VR23_DESK, "offer_status_changed"): 1,  # accepted
        (VR23_ON_DUTY, "offer_status_changed"): 1,
        (NCCN_DESK, "request_status_changed"): 1,  # covered: the partners asked are told
        (VR23_DESK, "request_status_changed"): 1,
        (VR23_ON_DUTY, "request_status_changed"): 1,
    }
)


def test_each_desk_named_in_notify_is_told_each_step_once_and_no_one_else(flow: Flow) -> None:
    ask_offer_accept(flow)
    flow.world.platform.dispatcher.drain()
    assert not flow.sender.notices  # queued after commit, handed over by the round
    assert flow.deliver() == sum(EXPECTED.values())
    assert told(flow) == EXPECTED
    assert CGDIS_DESK not in {notice.recipient.address for notice in flow.sender.notices}
    assert {row.status for row in rows(flow)} == {"sent"}
    # A round with nothing due sends nothing; the schedule's round is the same round.
    assert flow.deliver() == 0
    run_once(flow.bus)
    assert told(flow) == EXPECTED


def test_the_notice_is_in_the_desks_languages_with_the_request_page_and_who_was_reached(flow: Flow) -> None:
    ask_offer_accept(flow)
    flow.world.platform.dispatcher.drain()
    flow.deliver()
    sent = [n for n in flow.sender.notices if n.recipient.address == VR23_DESK]
    first = sent[0]
    assert first.subject.startswith("[crisislink] Bijstandsaanvraag: 2 x Water-rescue team")
    assert "BE-PROV-LIEGE vraagt uw organisatie om bijstand" in first.body
    assert "BE-PROV-LIEGE asks your organisation for assistance" in first.body
    page = f"{flow.world.platform.settings.public_url}/assistance/{flow.request_id}"
    assert first.body.rstrip().endswith(page)
    by_address = {row.address: row for row in rows(flow) if row.event_type.endswith("request_sent")}
    assert (by_address[VR23_DESK].reached, by_address[VR23_DESK].recipient) == ("desk", "Meldkamer VR23")
    holder = by_address[VR23_ON_DUTY]
    assert (holder.reached, holder.channel, holder.recipient) == (
        "on_duty",
        "phone",
        "Officer of the watch (demo)",
    )
    assert by_address[NCCN_DESK].languages == ["nl", "fr", "en"]
    assert by_address[NCCN_DESK].channel == "email"  # the desk's e-mail, though its phone is listed first


def test_a_second_dispatcher_redelivering_the_same_events_queues_nothing_more(flow: Flow) -> None:
    ask_offer_accept(flow)
    platform = flow.world.platform
    platform.dispatcher.drain()
    queued = len(rows(flow))
    queue = notices.NotificationQueue(platform.settings.public_url, flow.clock.now)
    twin = OutboxDispatcher(
        platform.engine, platform.registry, {notices.CONSUMER: queue.consumer()}, platform.uow, flow.clock.now
    )
    assert twin.drain() == 0  # another process: the cursor is past every event
    assert len(rows(flow)) == queued
    flow.deliver()
    assert told(flow) == EXPECTED


def test_events_redelivered_after_a_failed_delivery_are_told_once(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consumer fails half-way (the database hiccups): its work rolls back and the events come again."""
    real_queue, calls = store.queue, Counter[str]()

    def failing_twice(*args: Any, **kwargs: Any) -> uuid.UUID:
        calls["queue"] += 1
        if calls["queue"] in (2, 4):  # after a first notice is written: once in the batch, once alone
            raise sa.exc.OperationalError("INSERT", {}, Exception("the disk is busy"))
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(store, "queue", failing_twice)
    ask_offer_accept(flow)
    platform = flow.world.platform
    platform.dispatcher.drain()
    parked = dead_or_retry(flow)
    assert parked == ["retry"]  # one event parked for another attempt, the rest went through one by one
    flow.clock.advance(timedelta(minutes=1))
    platform.dispatcher.drain()
    assert dead_or_retry(flow) == ["done"]
    flow.deliver()
    assert told(flow) == EXPECTED


def dead_or_retry(flow: Flow) -> list[str]:
    d = t.deliveries
    with flow.world.platform.engine.connect() as conn:
        query = sa.select(d.c.status).where(d.c.consumer == notices.CONSUMER)
        return list(conn.execute(query).scalars())


class FlakyEmail(RecordingSender):
    """E-mail fails the first time it is tried: the relay was restarting."""

    def __init__(self) -> None:
        super().__init__("https://node.example")
        self.failed: list[Notice] = []

    def send_notice(self, notice: Notice) -> DeliveryReport:
        if notice.recipient.channel == "email" and not self.failed:
            self.failed.append(notice)
            return DeliveryReport(sent=False, detail="SMTP relay.example:25: connection refused")
        return super().send_notice(notice)


def test_a_failed_channel_is_tried_again_later(db_url: str) -> None:
    clock, sender = FixedClock(START), FlakyEmail()
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    try:
        world = build_world(platform)
        flow = Flow(world, clock, sender, desks=directory(world))
        ask_offer_accept(flow)
        platform.dispatcher.drain()
        flow.deliver()
        [failed] = sender.failed
        waiting = by_id(flow)[failed.notice_id]
        assert (waiting.status, waiting.attempts) == ("pending", 1)
        assert waiting.detail == "SMTP relay.example:25: connection refused"
        assert flow.deliver() == 0  # not due yet
        clock.advance(notices.FIRST_RETRY)
        assert flow.deliver() == 1
        final = by_id(flow)[failed.notice_id]
        assert (final.status, final.attempts) == ("sent", 2)
        assert told(flow) == EXPECTED
    finally:
        platform.stop()


def by_id(flow: Flow) -> dict[uuid.UUID, Any]:
    return {row.id: row for row in rows(flow)}


def test_a_notice_stranded_mid_send_goes_out_once_its_lease_has_run_out(flow: Flow) -> None:
    ask_offer_accept(flow)
    platform = flow.world.platform
    platform.dispatcher.drain()
    # A round claimed one notice and the node was killed before it was handed over.
    with platform.uow() as uow:
        stranded = store.claim_next(uow.connection, flow.clock.now(), notices.LEASE, notices.MAX_ATTEMPTS)
        uow.commit()
    assert stranded is not None
    assert flow.deliver() == sum(EXPECTED.values()) - 1  # the others go out
    assert by_id(flow)[stranded.id].status == "sending"
    flow.clock.advance(notices.LEASE - timedelta(seconds=1))
    assert flow.deliver() == 0  # its lease still runs: perhaps it is being handed over right now
    flow.clock.advance(timedelta(seconds=1))
    assert flow.deliver() == 1
    final = by_id(flow)[stranded.id]
    assert (final.status, final.attempts) == ("sent", 2)
    assert final.detail.startswith(store.MAY_BE_SENT)  # whoever reads it knows the desk may have it twice
    assert told(flow) == EXPECTED


def test_a_notice_whose_outcome_cannot_be_written_stops_no_other_and_goes_out_again(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_record, unrecorded = store.record, list[uuid.UUID]()

    def failing_once(conn: sa.Connection, notice_id: uuid.UUID, **outcome: Any) -> None:
        if not unrecorded:  # the first outcome: the database refuses the write
            unrecorded.append(notice_id)
            raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))
        real_record(conn, notice_id, **outcome)

    monkeypatch.setattr(store, "record", failing_once)
    ask_offer_accept(flow)
    flow.world.platform.dispatcher.drain()
    assert flow.deliver() == sum(EXPECTED.values())  # the round went on past the failure
    [lost] = unrecorded
    statuses = {notice_id: row.status for notice_id, row in by_id(flow).items()}
    assert statuses.pop(lost) == "sending"
    assert set(statuses.values()) == {"sent"}
    flow.clock.advance(notices.LEASE)
    assert flow.deliver() == 1
    assert by_id(flow)[lost].status == "sent"
    handed = Counter(notice.notice_id for notice in flow.sender.notices)
    assert handed[lost] == 2  # twice rather than never
    assert {count for notice_id, count in handed.items() if notice_id != lost} == {1}


def test_a_notice_whose_every_attempt_was_cut_short_is_given_up_as_possibly_sent(flow: Flow) -> None:
    ask_offer_accept(flow)
    platform = flow.world.platform
    platform.dispatcher.drain()
    taken: set[uuid.UUID] = set()
    for _ in range(notices.MAX_ATTEMPTS):  # each node that took it was stopped before the outcome
        with platform.uow() as uow:
            stranded = store.claim_next(uow.connection, flow.clock.now(), notices.LEASE, notices.MAX_ATTEMPTS)
            uow.commit()
        assert stranded is not None
        taken.add(stranded.id)
        flow.clock.advance(notices.LEASE)
    [given_up] = taken  # the oldest, taken again each time its lease ran out
    assert flow.deliver() == sum(EXPECTED.values()) - 1
    final = by_id(flow)[given_up]
    assert (final.status, final.attempts) == ("failed", notices.MAX_ATTEMPTS)
    assert "may have been sent" in final.detail
    assert given_up not in {notice.notice_id for notice in flow.sender.notices}


class WritingWhileSending(RecordingSender):
    """A channel that takes its time: meanwhile another writer of this node must get through."""

    engine: Engine | None = None

    def send_notice(self, notice: Notice) -> DeliveryReport:
        assert self.engine is not None
        with writer(self.engine).begin() as conn:  # on SQLite: the node's write slot, taken at once or never
            conn.execute(sa.select(sa.literal(1)))
        return super().send_notice(notice)


def test_notices_are_handed_over_with_no_write_held(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "WRITE_WAIT_SECONDS", 1)  # a held slot fails fast, not in 30 s
    clock, sender = FixedClock(START), WritingWhileSending("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    sender.engine = platform.engine
    try:
        world = build_world(platform)
        flow = Flow(world, clock, sender, desks=directory(world))
        ask_offer_accept(flow)
        platform.dispatcher.drain()
        assert flow.deliver() == sum(EXPECTED.values())
        assert told(flow) == EXPECTED
    finally:
        platform.stop()


def test_a_partner_without_a_desk_is_recorded_as_unreachable(flow: Flow) -> None:
    world = flow.world
    flow.bus.handle(
        sc.RemoveContactPoint(actor=SYSTEM, contact_point_id=flow.desks["BE-PROV-LIEGE"], expected_version=1)
    )
    ask_offer_accept(flow)
    world.platform.dispatcher.drain()
    flow.deliver()
    [nobody] = [row for row in rows(flow) if row.partner_id == world.partners["BE-PROV-LIEGE"]]
    assert (nobody.status, nobody.reached, nobody.address) == ("unreachable", "nobody", None)
    assert nobody.detail == "BE-PROV-LIEGE has no 24/7 duty desk in the directory: nobody was told"
    assert (LIEGE_DESK, "offer_made") not in told(flow)


SEND_SECONDS = 4.0  # a relay this slow takes a round's whole time in a few notices


class SlowRelay(RecordingSender):
    """Each notice takes the relay SEND_SECONDS of (counted, not slept) wall time."""

    def __init__(self) -> None:
        super().__init__("https://node.example")
        self.elapsed = 0.0

    def send_notice(self, notice: Notice) -> DeliveryReport:
        self.elapsed += SEND_SECONDS
        return super().send_notice(notice)


def test_a_round_takes_no_new_notice_once_its_time_is_up_and_the_next_round_goes_on(db_url: str) -> None:
    clock, sender = FixedClock(START), SlowRelay()
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    try:
        world = build_world(platform)
        flow = Flow(world, clock, sender, desks=directory(world))
        ask_offer_accept(flow)
        platform.dispatcher.drain()
        rounds: list[int] = []
        while handed := deliver_assistance_notifications(platform.bus, timer=lambda: sender.elapsed):
            rounds.append(handed)
        total, per_round = sum(EXPECTED.values()), math.ceil(notices.ROUND_SECONDS / SEND_SECONDS)
        assert per_round < total  # else this test would prove nothing
        assert rounds == [min(per_round, total - done) for done in range(0, total, per_round)]
        assert told(flow) == EXPECTED
    finally:
        platform.stop()


def test_one_person_holding_two_desks_of_a_partner_is_told_once(flow: Flow) -> None:
    world = flow.world
    backup = desk(
        world,
        "NL-VR23",
        "Meldkamer VR23 (backup)",
        (Channel(ChannelKind.EMAIL, "backup@vr23.example"),),
        ("nl",),
    )
    flow.bus.handle(
        rc.ScheduleShift(
            actor=world.actor("nl.duty"),
            contact_point_id=backup,
            person=DutyPerson(name="Officer of the watch (demo)", phone=VR23_ON_DUTY),
            role=ShiftRole.PRIMARY,
            starts_at=START,
            ends_at=START + timedelta(hours=12),
        )
    )
    ask_offer_accept(flow)
    world.platform.dispatcher.drain()
    flow.deliver()
    both_desks = Counter(
        {
            ("backup@vr23.example", step): count
            for (address, step), count in EXPECTED.items()
            if address == VR23_DESK
        }
    )
    assert told(flow) == EXPECTED + both_desks  # each desk's own address; the officer once per step


BEFORE_NOTICES = "0013"  # the last revision without desk notices


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet, for a test that migrates it step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgraded.db'}"
        return
    if not postgres_available():
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL is unreachable")
        pytest.skip("PostgreSQL is not reachable")
    with fresh_postgres_database() as url:
        yield url


def migrate_to(url: str, revision: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine, revision)
    engine.dispose()


def test_steps_taken_before_the_upgrade_are_not_told_after_it(empty_url: str) -> None:
    migrate_to(empty_url, BEFORE_NOTICES)
    clock, sender = FixedClock(START), RecordingSender("https://node.example")
    before = make_platform(empty_url, clock=clock, comm_sender=sender)
    try:
        world = build_world(before)
        flow = Flow(world, clock, sender, desks=directory(world))
        ask_and_offer(flow)  # a node of the version before: the request and the offer are history
    finally:
        before.stop()
    migrate_to(empty_url, "head")
    after = make_platform(empty_url, clock=clock, comm_sender=sender)
    try:
        flow = replace(flow, world=replace(flow.world, platform=after))
        after.dispatcher.drain()
        assert rows(flow) == []  # the first start after the upgrade tells no desk of the past
        accept(flow)  # a step after the upgrade is told
        after.dispatcher.drain()
        flow.deliver()
        after_upgrade = ("offer_status_changed", "request_status_changed")
        assert told(flow) == Counter({key: n for key, n in EXPECTED.items() if key[1] in after_upgrade})
    finally:
        after.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    received: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 -- aiosmtpd's hook
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def test_a_notice_goes_out_by_smtp_with_its_own_subject_and_words() -> None:
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        sender = SmtpSender(
            SmtpConfig(host="127.0.0.1", port=port, sender="crisislink@node.example"), "https://node.example"
        )
        notice = Notice(
            notice_id=uuid.uuid4(),
            recipient=Recipient(name="Meldkamer VR23", channel="email", address=VR23_DESK),
            subject="[crisislink] Bijstandsaanvraag: 2 x Water-rescue team",
            body="BE-PROV-LIEGE vraagt uw organisatie om bijstand.\n",
        )
        report = sender.send_notice(notice)
    finally:
        server.stop()
    assert report.sent, report.detail
    [(recipients, email)] = inbox.received
    assert recipients == [VR23_DESK]
    assert email["Subject"] == notice.subject
    body = email.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert body.decode().replace("\r\n", "\n") == notice.body  # SMTP lines end in CRLF
    phone = Recipient(name="Officer of the watch", channel="phone", address=VR23_ON_DUTY)
    refused = sender.send_notice(Notice(notice.notice_id, phone, notice.subject, notice.body))
    assert (refused.sent, refused.detail) == (False, "SMTP sends e-mail, not phone")
