"""A dataset whose data stops arriving: its point of contact is told, once per episode, on SQLite and PostgreSQL.

The NCCN publishes a river gauge expected every hour, with its hydrology desk as the point of contact. The
gauge goes quiet during the night of 14 July 2021: the schedule flags it, the desk gets one e-mail in its
languages, however many rounds the schedule runs; when data arrives again it is told the episode is over;
a second episode is a second notice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import migrate
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.app import dataset_contact_notices as notices
from crisislink.app.bootstrap import Platform
from crisislink.app.schedule import run_once
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Series
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.readiness.ports import DeliveryReport, Notice
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
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

START = datetime(2021, 7, 14, 20, 0, tzinfo=UTC)
HYDRO_DESK = "hydro@nccn.example"
SCHEMA: dict[str, Any] = {"type": "object", "required": ["series", "observed_at", "value"]}


@dataclass
class Gauge:
    world: World
    clock: FixedClock
    sender: RecordingSender
    dataset_id: uuid.UUID

    @property
    def platform(self) -> Platform:
        return self.world.platform

    def reading(self, at: datetime) -> None:
        record = IncomingRecord({"series": "vesdre.level", "observed_at": at.isoformat(), "value": 120})
        self.platform.bus.handle(
            c.IngestObservations(
                actor=self.world.actor("be.duty"), dataset_id=self.dataset_id, batch=c.Batch((record,))
            )
        )

    def rounds(self, count: int) -> None:
        """The schedule's rounds, each followed by the dispatcher (it runs in a thread when serving)."""
        for _ in range(count):
            run_once(self.platform.bus)
            self.platform.dispatcher.drain()

    def told(self) -> list[tuple[str, str]]:
        """(address, subject) of every notice handed to a channel, in order."""
        return [(n.recipient.address, n.subject) for n in self.sender.notices]


def hydro_desk(world: World) -> uuid.UUID:
    """Its phone is listed first; the notice is written to its e-mail, in Dutch and French, then English."""
    contact_id: uuid.UUID = world.platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=world.partners["BE-NCCN"],
            role=ContactRole.INFORMATION_MANAGER,
            name="Hydrology desk",
            channels=(Channel(ChannelKind.PHONE, "+32 2 000 0001"), Channel(ChannelKind.EMAIL, HYDRO_DESK)),
            languages=("nl", "fr"),
            hours=StaffedHours(always=True),
            marking=Tlp.GREEN,
        )
    )
    return contact_id


def publish_gauge(world: World) -> uuid.UUID:
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=world.actor("be.duty"),
            title="Vesdre at Chaudfontaine",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=hydro_desk(world),
            refresh=timedelta(hours=1),
            series=(Series("vesdre.level", "Vesdre level", "cm"),),
            marking=Tlp.GREEN,
        )
    )
    return dataset_id


def gauge_on(platform: Platform, clock: FixedClock, sender: RecordingSender) -> Gauge:
    world = build_world(platform)
    gauge = Gauge(world, clock, sender, publish_gauge(world))
    gauge.reading(START)
    return gauge


@pytest.fixture
def gauge(db_url: str) -> Iterator[Gauge]:
    clock, sender = FixedClock(START), RecordingSender("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    yield gauge_on(platform, clock, sender)
    platform.stop()


def rows(platform: Platform) -> list[Any]:
    n = t.dataset_contact_notices
    with platform.engine.connect() as conn:
        return list(conn.execute(sa.select(n).order_by(n.c.created_at, n.c.id)))


def test_a_stale_dataset_is_told_to_its_contact_once_per_episode(gauge: Gauge) -> None:
    gauge.clock.advance(timedelta(hours=1, minutes=59))
    gauge.rounds(2)
    assert gauge.told() == []  # one missed delivery is tolerated (grace factor 2)
    gauge.clock.advance(timedelta(minutes=2))  # 22:01, the newest reading from 20:00
    gauge.rounds(4)  # flagged in the first; sent in the second; the others send nothing more
    [(address, subject)] = gauge.told()
    assert address == HYDRO_DESK  # its e-mail, though its phone is listed first
    assert subject == "[crisislink] Geen nieuwe gegevens: Vesdre at Chaudfontaine (BE-NCCN)"
    [notice] = gauge.sender.notices
    assert "de nieuwste waarneming dateert van 2021-07-14 20:00 UTC" in notice.body
    assert "elk uur" in notice.body
    assert "la dernière observation date du 2021-07-14 20:00 UTC" in notice.body
    assert "No new data for Vesdre at Chaudfontaine, published by BE-NCCN" in notice.body
    page = f"{gauge.platform.settings.public_url}/datasets/{gauge.dataset_id}"
    assert notice.body.rstrip().endswith(page)
    [row] = rows(gauge.platform)
    assert (row.status, row.attempts, row.channel, row.recipient) == ("sent", 1, "email", "Hydrology desk")
    assert row.languages == ["nl", "fr", "en"]


def test_data_arriving_again_is_told_and_a_new_episode_is_a_new_notice(gauge: Gauge) -> None:
    gauge.clock.advance(timedelta(hours=3))
    gauge.rounds(2)
    gauge.clock.advance(timedelta(minutes=30))
    gauge.reading(gauge.clock.now())  # 23:30: the gauge is back
    gauge.rounds(2)
    assert [subject.split(":")[0] for _, subject in gauge.told()] == [
        "[crisislink] Geen nieuwe gegevens",
        "[crisislink] Gegevens komen weer binnen",
    ]
    back = gauge.sender.notices[1]
    assert "Er komen weer nieuwe gegevens binnen" in back.body
    assert "It was flagged stale at 2021-07-14 23:00 UTC." in back.body
    gauge.clock.advance(timedelta(hours=3))  # quiet again: a second episode
    gauge.rounds(3)
    kinds = [row.event_type for row in rows(gauge.platform)]
    assert kinds == ["crisislink.datasets.stale", "crisislink.datasets.fresh", "crisislink.datasets.stale"]
    assert [address for address, _ in gauge.told()] == [HYDRO_DESK] * 3
    assert {row.status for row in rows(gauge.platform)} == {"sent"}


class RefusingRelay(RecordingSender):
    """The mail relay refuses every message."""

    def send_notice(self, notice: Notice) -> DeliveryReport:
        return DeliveryReport(sent=False, detail="SMTP relay.example:25: 554 refused")


def test_a_refused_notice_is_tried_again_with_back_off_then_given_up(db_url: str) -> None:
    clock, sender = FixedClock(START), RefusingRelay("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    try:
        gauge = gauge_on(platform, clock, sender)
        clock.advance(timedelta(hours=3))
        gauge.rounds(2)
        [waiting] = rows(platform)
        assert (waiting.status, waiting.attempts) == ("pending", 1)
        assert waiting.detail == "SMTP relay.example:25: 554 refused"
        for attempt in range(1, notices.MAX_ATTEMPTS):
            assert notices.deliver_dataset_contact_notices(platform.bus) == 0  # not due yet
            clock.advance(notices.FIRST_RETRY * (1 << (attempt - 1)))
            assert notices.deliver_dataset_contact_notices(platform.bus) == 1
        [final] = rows(platform)
        assert (final.status, final.attempts) == ("failed", notices.MAX_ATTEMPTS)
    finally:
        platform.stop()


BEFORE_NOTICES = "0014"  # the last revision without notices to datasets' contacts


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


def test_an_episode_flagged_before_the_upgrade_is_not_told_after_it(empty_url: str) -> None:
    migrate_to(empty_url, BEFORE_NOTICES)
    clock, sender = FixedClock(START), RecordingSender("https://node.example")
    before = make_platform(empty_url, clock=clock, comm_sender=sender)
    try:
        gauge = gauge_on(before, clock, sender)
        clock.advance(timedelta(hours=3))
        before.bus.handle(c.FlagStaleDatasets(actor=SYSTEM))  # a node of the version before flags it
    finally:
        before.stop()
    migrate_to(empty_url, "head")
    after = make_platform(empty_url, clock=clock, comm_sender=sender)
    try:
        gauge.world.platform = after
        gauge.rounds(2)
        assert rows(after) == []  # the first start after the upgrade tells nobody of the past episode
        gauge.reading(clock.now())  # its end is not told either: the contact never heard it began
        gauge.rounds(2)
        assert rows(after) == []
        clock.advance(timedelta(hours=3))  # an episode after the upgrade is told
        gauge.rounds(2)
        assert [row.event_type for row in rows(after)] == ["crisislink.datasets.stale"]
        assert [address for address, _ in gauge.told()] == [HYDRO_DESK]
    finally:
        after.stop()
