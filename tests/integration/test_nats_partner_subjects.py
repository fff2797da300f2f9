"""Dataset events on each partner's NATS subjects, against a real nats-server with JetStream.

Partners of the test world: A (BE-NCCN) owns the datasets, B (NL-VR23) is named in an AMBER dataset's
audience, C (BE-PROV-LIEGE) is not. The JetStream tests use the shared server and a stream and prefix of
their own (see test_nats.py; skipped without a server, failing in CI). The last test starts a nats-server of
its own with the generated permissions, to show that they keep a partner on its own subjects.

The relay starts at the log's head when its cursor is created (when NATS is switched on): each test switches
it on before the events it expects copies of. A copy is compared, byte for byte, with what a member of the
receiving partner gets of the event in the live feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import nats
import nats.errors
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from crisislink.adapters.bus.nats import JetStreamConfig, NatsRelay, ensure_stream
from crisislink.adapters.bus.nats.permissions import consumer_name, inbox_prefix, partner_user_block
from crisislink.adapters.db import outbox
from crisislink.adapters.db.queries import directory, events
from crisislink.adapters.db.queries.live_tail import encoded
from crisislink.adapters.db.queries.views import EventView
from crisislink.app.dataset_subjects import (
    PUBLISHED,
    RELAY,
    dataset_event_subject,
    jetstream_config,
    partner_dataset_relay,
    relay_in_thread,
    start_partner_subjects,
)
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.model import DatasetKind, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Envelope
from tests.integration.test_nats import NATS_URL, WAIT, cursor, jetstream, stream_state
from tests.support import IN_CI, World, build_world, make_platform

pytestmark = pytest.mark.nats
__all__ = ["jetstream"]  # the fixture, shared with test_nats.py

SCHEMA = {"type": "object", "required": ["series", "observed_at", "value"]}
SERIES = (Series("gauge", "Gauge", "cm", thresholds=(Threshold("alarm", 100),)),)
QUIET = 0.3  # after the marker arrived: how long nothing else may arrive
# Set while a test's relay reads: the platform's own consumers read the outbox too, in threads of their own.
RELAYING: contextvars.ContextVar[bool] = contextvars.ContextVar("RELAYING", default=False)
ALLOWED = (nats.errors.Error, TimeoutError)  # how a refused request or a missing reply shows in nats-py


@pytest.fixture
def world(sqlite_url: str) -> Iterator[World]:
    platform = make_platform(sqlite_url)
    yield build_world(platform)
    platform.stop()


@dataclass(frozen=True)
class Partners:
    a: uuid.UUID  # the owner
    b: uuid.UUID  # named in the AMBER dataset's audience
    c: uuid.UUID  # named nowhere

    @classmethod
    def of(cls, world: World) -> Partners:
        p = world.partners
        return cls(p["BE-NCCN"], p["NL-VR23"], p["BE-PROV-LIEGE"])


def publish_dataset(world: World, marking: Tlp, audience: frozenset[Principal] = frozenset()) -> uuid.UUID:
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=world.actor("be.duty"),
            title=f"Gauges ({marking.value})",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=world.contact("BE-NCCN", Tlp.GREEN, name="Hydro desk"),
            refresh=timedelta(hours=1),
            series=SERIES,
            marking=marking,
            audience=audience,
        )
    )
    return dataset_id


def ingest(world: World, dataset_id: uuid.UUID, *values: float) -> None:
    """One batch, a reading an hour; a value above 100 after one below crosses the alarm threshold."""
    start = datetime(2021, 7, 14, 18, 0, tzinfo=UTC)
    records = tuple(
        IncomingRecord(
            {"series": "gauge", "observed_at": (start + timedelta(hours=i)).isoformat(), "value": v}
        )
        for i, v in enumerate(values)
    )
    world.platform.bus.handle(
        c.IngestObservations(actor=world.actor("be.duty"), dataset_id=dataset_id, batch=c.Batch(records))
    )


def published_about(world: World, dataset_id: uuid.UUID) -> list[Envelope]:
    """The dataset's events that go to partner subjects, in log order."""
    with world.platform.engine.connect() as conn:
        envelopes = outbox.read_after(conn, 0, 10_000)
    return [x for x in envelopes if x.context_id == dataset_id and x.type in PUBLISHED]


def head(world: World) -> int:
    return events.head_position(world.platform.engine)


def switch_on(world: World, config: JetStreamConfig) -> None:
    """What a node does when it starts with NATS configured: the relay's cursor is created (at the head)."""
    assert partner_dataset_relay(world.platform.engine, config).ensure_cursor() == head(world)


def feed_of(world: World, username: str, dataset_id: uuid.UUID) -> dict[uuid.UUID, bytes]:
    """The dataset's published events as the live feed sends them to `username` (the feed's SQL path)."""
    viewer = Viewer(user_id=world.users[username], partner_id=world.user_partner[username])
    wanted = {x.id for x in published_about(world, dataset_id)}
    visible = events.visible_after(world.platform.engine, viewer, 0, 10_000)
    return {view.id: encoded(view).encode() for view in visible if view.id in wanted}


async def relay_all(world: World, config: JetStreamConfig) -> int:
    async with partner_dataset_relay(world.platform.engine, config) as relay:
        await relay.ensure_stream()
        await asyncio.wait_for(relay.relay_once(), WAIT)
        return relay.published


@dataclass(frozen=True)
class Received:
    """A partner copy: the dataset its subject names, its body, and the event that body describes."""

    dataset_id: uuid.UUID
    body: bytes
    event: EventView
    msg_id: str | None

    @classmethod
    def of(cls, message: Msg) -> Received:
        dataset_id = uuid.UUID(message.subject.split(".")[-2])  # `….datasets.<dataset id>.<kind>`
        event = msgspec.json.decode(message.data, type=EventView)
        return cls(dataset_id, message.data, event, (message.headers or {}).get("Nats-Msg-Id"))


@asynccontextmanager
async def listening(subject: str) -> AsyncIterator[asyncio.Queue[Msg]]:
    """A live (core NATS) subscription, registered with the server before the block runs."""
    client = await nats.connect(NATS_URL, connect_timeout=2, allow_reconnect=False)
    received: asyncio.Queue[Msg] = asyncio.Queue()
    try:
        await client.subscribe(subject, cb=received.put)
        await client.flush()
        yield received
    finally:
        await client.close()


async def until(received: asyncio.Queue[Msg], last: uuid.UUID) -> list[Received]:
    """Everything received up to and including the event `last` (it must come within WAIT)."""
    seen: list[Received] = []
    async with asyncio.timeout(WAIT):
        while not seen or seen[-1].event.id != last:
            seen.append(Received.of(await received.get()))
    return seen


async def nothing_more(received: asyncio.Queue[Msg]) -> bool:
    try:
        await asyncio.wait_for(received.get(), QUIET)
    except TimeoutError:
        return True
    return False


# --- against the shared JetStream server ---------------------------------------------------------------------


async def test_a_green_datasets_observations_reach_every_partners_subject(
    jetstream: JetStreamConfig, world: World
) -> None:
    switch_on(world, jetstream)
    dataset = publish_dataset(world, Tlp.GREEN)
    ingest(world, dataset, 50.0)
    partners = {p.id for p in directory.list_partners(world.platform.engine)}
    kind = e.DatasetObservationsReceived.TYPE
    async with listening(
        jetstream.subject(f"partner.*.datasets.{dataset}.observations_received")
    ) as received:
        await relay_all(world, jetstream)
        async with asyncio.timeout(WAIT):
            copies = [await received.get() for _ in partners]
        assert await nothing_more(received)
    assert {m.subject for m in copies} == {
        dataset_event_subject(jetstream, p, dataset, kind) for p in partners
    }
    (observed,) = [x for x in published_about(world, dataset) if x.type == kind]
    in_feed = feed_of(world, "liege.duty", dataset)[observed.id]
    assert [m.data for m in copies] == [in_feed] * len(partners)  # the event as the live feed has it
    _, subjects = await stream_state(jetstream)
    assert {s for s in subjects if s.endswith(f"{dataset}.observations_received")} == {
        m.subject for m in copies
    }


async def test_an_amber_dataset_shared_with_b_reaches_a_and_b_and_never_c(
    jetstream: JetStreamConfig, world: World
) -> None:
    ids = Partners.of(world)
    switch_on(world, jetstream)
    amber = publish_dataset(world, Tlp.AMBER, frozenset({Principal.partner(ids.b)}))
    ingest(world, amber, 50.0, 150.0)  # crosses the alarm threshold: a ThresholdCrossed too
    marker = publish_dataset(world, Tlp.GREEN)  # published after: every partner gets it, C included
    ingest(world, marker, 50.0)
    amber_events = published_about(world, amber)
    assert {x.type for x in amber_events} >= {e.DatasetObservationsReceived.TYPE, e.ThresholdCrossed.TYPE}
    last = published_about(world, marker)[-1].id

    trees = (jetstream.partner_tree(p) for p in (ids.a, ids.b, ids.c))
    async with listening(next(trees)) as at_a, listening(next(trees)) as at_b, listening(next(trees)) as at_c:
        await relay_all(world, jetstream)
        # One publisher, one subscriber: NATS keeps the order, so whatever C was sent about the AMBER
        # dataset (published before the marker) would have come before the marker.
        seen_by = {
            ids.a: await until(at_a, last),
            ids.b: await until(at_b, last),
            ids.c: await until(at_c, last),
        }
        assert await nothing_more(at_c)

    for partner, member in ((ids.a, "be.duty"), (ids.b, "nl.duty")):
        assert [x.event.id for x in seen_by[partner] if x.dataset_id == amber] == [x.id for x in amber_events]
        in_feed = list(feed_of(world, member, amber).values())
        assert [x.body for x in seen_by[partner] if x.dataset_id == amber] == in_feed
    assert [x for x in seen_by[ids.c] if x.dataset_id == amber] == []
    assert feed_of(world, "liege.duty", amber) == {}  # nor does the live feed give C's members anything
    assert seen_by[ids.c][-1].dataset_id == marker
    _, subjects = await stream_state(jetstream)
    assert not [s for s in subjects if str(amber) in s and str(ids.c) in s]
    assert len([s for s in subjects if str(amber) in s]) == 2 * len({x.type for x in amber_events})


async def test_a_redelivered_event_publishes_no_duplicate(
    jetstream: JetStreamConfig, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch_on(world, jetstream)
    switched_on_at = head(world)
    dataset = publish_dataset(world, Tlp.GREEN)
    ingest(world, dataset, 120.0)
    crashing = partner_dataset_relay(world.platform.engine, jetstream)

    def crash(_position: int) -> None:
        raise RuntimeError("killed between the publish acks and the cursor commit")

    monkeypatch.setattr(crashing, "_save_cursor", crash)
    async with crashing:
        await crashing.ensure_stream()
        with pytest.raises(RuntimeError, match="killed"):
            await asyncio.wait_for(crashing.relay_once(), WAIT)
    assert crashing.published > 0
    assert cursor(world.platform.engine, RELAY) == switched_on_at  # so the next relay sends every event again
    stored, _ = await stream_state(jetstream)
    assert stored == crashing.published

    async with partner_dataset_relay(world.platform.engine, jetstream) as restarted:
        await asyncio.wait_for(restarted.relay_once(), WAIT)
        assert restarted.published == crashing.published
        assert restarted.duplicates == crashing.published  # JetStream dropped every copy: same message ids
    assert (await stream_state(jetstream))[0] == stored
    assert cursor(world.platform.engine, RELAY) == head(world)


async def test_a_copy_is_the_event_as_the_live_feed_shows_it_and_names_nobody(
    jetstream: JetStreamConfig, world: World
) -> None:
    ids = Partners.of(world)
    switch_on(world, jetstream)
    named = frozenset(
        {
            Principal.partner(ids.b),
            Principal.user(world.users["nl.info"]),  # a person of B
            Principal.user(world.users["liege.duty"]),  # a person of C: brings C nothing
        }
    )
    amber = publish_dataset(world, Tlp.AMBER, named)
    ingest(world, amber, 50.0, 150.0)
    logged = published_about(world, amber)
    assert all(x.label.audience == named for x in logged)  # the log's labels name them all
    trees = (jetstream.partner_tree(p) for p in (ids.a, ids.b))
    async with listening(next(trees)) as at_a, listening(next(trees)) as at_b:
        await relay_all(world, jetstream)
        copies = {ids.a: await until(at_a, logged[-1].id), ids.b: await until(at_b, logged[-1].id)}

    for partner, member in ((ids.a, "be.duty"), (ids.b, "nl.duty")):
        received = copies[partner]
        assert [x.body for x in received] == list(feed_of(world, member, amber).values())
        assert [x.msg_id for x in received] == [f"{x.id}:{partner}" for x in logged]
        for copy in received:
            assert set(json.loads(copy.body)) == set(EventView.__struct_fields__)  # no label, no actor
            assert not [p for p in named if str(p.id).encode() in copy.body]


async def test_switched_on_late_the_copies_begin_at_the_head_of_the_log(
    jetstream: JetStreamConfig, world: World
) -> None:
    engine, ids = world.platform.engine, Partners.of(world)
    history = publish_dataset(world, Tlp.GREEN)
    ingest(world, history, 50.0, 150.0)
    assert published_about(world, history)  # dataset events logged before NATS was switched on
    switched_on_at = head(world)
    async with partner_dataset_relay(engine, jetstream) as relay:
        await relay.ensure_stream()
        assert await asyncio.wait_for(relay.relay_once(), WAIT) == 0
    assert relay.published == 0
    assert cursor(engine, RELAY) == switched_on_at
    assert (await stream_state(jetstream))[0] == 0

    later = publish_dataset(world, Tlp.GREEN)
    async with listening(jetstream.partner_tree(ids.c)) as at_c:
        await relay_all(world, jetstream)
        # In log order: a copy of anything older would have come first.
        received = await until(at_c, published_about(world, later)[-1].id)
    assert [x.event.id for x in received] == [x.id for x in published_about(world, later)]
    # The relay of ADR 0004 still starts at the beginning: a node it feeds needs the whole log.
    assert NatsRelay(engine, jetstream).ensure_cursor() == 0


async def test_the_copies_begin_when_the_relay_starts_even_while_nats_is_away(world: World) -> None:
    engine = world.platform.engine
    publish_dataset(world, Tlp.GREEN)
    away = JetStreamConfig(
        servers=("nats://127.0.0.1:1",),
        connect_timeout=1,
        reconnect_attempts=1,
        reconnect_wait=0,
        backoff_initial=0.05,
        backoff_max=0.2,
    )
    relay, stop = partner_dataset_relay(engine, away), asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        async with asyncio.timeout(WAIT):
            while cursor(engine, RELAY) is None:
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)
    assert cursor(engine, RELAY) == head(world)
    assert relay.published == 0


async def test_the_relay_decodes_dataset_events_only_and_moves_past_the_others(
    jetstream: JetStreamConfig, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = world.platform.engine
    switch_on(world, jetstream)
    dataset = publish_dataset(world, Tlp.GREEN)
    ingest(world, dataset, 50.0)
    for number in range(3):  # events no partner subject carries, after the last dataset event
        world.contact("BE-NCCN", Tlp.GREEN, name=f"Desk {number}")
    world.platform.dispatcher.drain()  # the platform's reactions to them, if any, are in the log too
    copied, before = published_about(world, dataset), head(world)
    assert before > max(x.position or 0 for x in copied)
    decoded: list[str] = []
    rows_to_envelopes = outbox.rows_to_envelopes

    def noting_decoded(conn: Any, rows: Any) -> list[Envelope]:
        if RELAYING.get():
            decoded.extend(row.type for row in rows)
        return rows_to_envelopes(conn, rows)

    monkeypatch.setattr(outbox, "rows_to_envelopes", noting_decoded)
    relaying = RELAYING.set(True)
    try:
        async with partner_dataset_relay(engine, jetstream) as relay:
            relay.batch = 2  # slices of two events, some with no dataset event in them
            await relay.ensure_stream()
            assert await asyncio.wait_for(relay.relay_once(), WAIT) == len(copied)
    finally:
        RELAYING.reset(relaying)
    assert decoded == [x.type for x in copied]
    assert relay.published == len(copied) * len(directory.list_partners(engine))
    assert (cursor(engine, RELAY) or 0) >= before  # past the events no partner gets


def test_without_nats_no_relay_starts(world: World) -> None:
    platform = world.platform
    assert platform.settings.nats_url is None
    assert (
        start_partner_subjects(platform.settings, platform.engine, platform.notifier, threading.Event()) == []
    )
    assert jetstream_config(replace(platform.settings, nats_url="nats://a:4222, nats://b:4222")) == (
        JetStreamConfig(servers=("nats://a:4222", "nats://b:4222"), client_name=f"crisislink-be-{RELAY}")
    )


async def test_the_relay_thread_publishes_a_new_commit_at_once_and_stops_with_the_platform(
    jetstream: JetStreamConfig, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform, ids = world.platform, Partners.of(world)
    switch_on(world, jetstream)
    dataset = publish_dataset(world, Tlp.GREEN)  # committed after the switch, before the relay runs
    stop, idle = threading.Event(), threading.Event()
    relay = partner_dataset_relay(platform.engine, jetstream)
    relay_once = relay.relay_once

    async def noting_when_idle() -> int:
        done = await relay_once()
        if done == 0:  # nothing left: the loop now sleeps until kicked (its poll is an hour)
            idle.set()
        return done

    monkeypatch.setattr(relay, "relay_once", noting_when_idle)
    async with listening(jetstream.partner_tree(ids.c)) as at_c:
        thread = relay_in_thread(relay, platform.notifier, stop, poll_seconds=3600)
        first = await until(at_c, published_about(world, dataset)[-1].id)  # the backlog, on start
        assert await asyncio.to_thread(idle.wait, WAIT)
        ingest(world, dataset, 50.0)  # the bus tells the platform's notifier, which kicks the relay
        later = await until(at_c, published_about(world, dataset)[-1].id)
        stop.set()
        await asyncio.to_thread(thread.join, WAIT)
    assert not thread.is_alive()
    assert [x.event.type for x in first] == [e.DatasetPublished.TYPE]
    assert [x.event.type for x in later] == [e.DatasetObservationsReceived.TYPE]


async def test_a_stream_made_before_the_partner_copies_is_extended_and_keeps_its_events(
    jetstream: JetStreamConfig,
) -> None:
    client = await nats.connect(NATS_URL, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream(timeout=jetstream.request_timeout)
        await js.add_stream(StreamConfig(name=jetstream.stream, subjects=[jetstream.all_events]))
        await js.publish(
            jetstream.subject("crisislink.sharing.node_registered"), b"{}", stream=jetstream.stream
        )
        info = await ensure_stream(js, jetstream)
        assert info.config.subjects == [jetstream.all_events, jetstream.all_partner_copies]
        await js.publish(
            jetstream.subject("crisislink.sharing.node_registered"), b"{}", stream=jetstream.stream
        )
        copy = jetstream.partner_subject(uuid.uuid4(), "datasets", str(uuid.uuid4()), "stale")
        await js.publish(copy, b"{}", stream=jetstream.stream)
        assert (await js.stream_info(jetstream.stream)).state.messages == 3
    finally:
        await client.close()


# --- the generated permissions, on a nats-server of the test's own --------------------------------------------


@dataclass(frozen=True)
class AuthorisedServer:
    port: int
    config: JetStreamConfig
    passwords: dict[str, str]

    def url(self, user: str) -> str:
        return f"nats://{user}:{self.passwords[user]}@127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    async with asyncio.timeout(WAIT):
        while server.poll() is None:
            try:
                client = await nats.connect(
                    url, connect_timeout=1, max_reconnect_attempts=1, reconnect_time_wait=0
                )
            except (nats.errors.Error, OSError):
                await asyncio.sleep(0.1)
                continue
            await client.close()
            return
    pytest.fail(f"nats-server exited with {server.returncode}: {log.read_text()[-2000:]}")


@pytest.fixture
async def authorised(tmp_path: Path, world: World) -> AsyncIterator[AuthorisedServer]:
    binary = os.environ.get("CRISISLINK_TEST_NATS_SERVER") or shutil.which("nats-server")
    if binary is None:
        problem = "no nats-server binary on PATH (or in CRISISLINK_TEST_NATS_SERVER)"
        if IN_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    ids = Partners.of(world)
    config = JetStreamConfig(stream="CRISISLINK", subject_prefix="eu", request_timeout=2.0)
    # nats-server parses a variable's value as a config value: a password must start with a letter.
    passwords = {user: f"pw{uuid.uuid4().hex}" for user in ("node", "partner-b", "partner-c")}
    blocks = [partner_user_block(config, ids.b, "partner-b"), partner_user_block(config, ids.c, "partner-c")]
    port = _free_port()
    conf = tmp_path / "nats-server.conf"
    conf.write_text(
        f"listen: 127.0.0.1:{port}\n"
        f"jetstream {{ store_dir: {json.dumps(str(tmp_path / 'jetstream'))} }}\n"
        "authorization {\n  users = [\n"
        "    { user: node, password: $CRISISLINK_NATS_PASSWORD_NODE }\n" + "\n".join(blocks) + "\n  ]\n}\n"
    )
    env = {**os.environ} | {
        f"CRISISLINK_NATS_PASSWORD_{u.upper().replace('-', '_')}": pw for u, pw in passwords.items()
    }
    log = tmp_path / "nats-server.log"
    with log.open("wb") as output:
        server = subprocess.Popen([binary, "-c", str(conf)], env=env, stdout=output, stderr=output)
    try:
        running = AuthorisedServer(port, config, passwords)
        await _wait_until_up(running.url("node"), server, log)
        yield running
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class PartnerClient:
    client: Client
    violations: list[str]

    async def refused(self, action: Any, subject: str) -> bool:
        """True if `action` failed and the server reported it as a permissions violation on `subject`."""
        try:
            await action
        except ALLOWED:
            return await self.reported(f'publish to "{subject.lower()}"')
        return False

    async def reported(self, violation: str) -> bool:
        """Whether the server reports this violation (its error reaches the callback asynchronously)."""
        await self.client.flush()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT):
                while not any(violation in v for v in self.violations):
                    await asyncio.sleep(0.02)
        return any(violation in v for v in self.violations)


@asynccontextmanager
async def as_partner(
    server: AuthorisedServer, user: str, partner_id: uuid.UUID
) -> AsyncIterator[PartnerClient]:
    violations: list[str] = []

    async def on_error(error: Exception) -> None:
        violations.append(str(error).lower())

    client = await nats.connect(
        server.url(user), inbox_prefix=inbox_prefix(partner_id), error_cb=on_error, allow_reconnect=False
    )
    try:
        yield PartnerClient(client, violations)
    finally:
        await client.close()


async def read_own(partner: PartnerClient, config: JetStreamConfig, partner_id: uuid.UUID) -> list[Received]:
    name = consumer_name(partner_id)
    js = partner.client.jetstream(timeout=config.request_timeout)
    subscription = await js.pull_subscribe(
        config.partner_tree(partner_id),
        durable=name,
        stream=config.stream,
        config=ConsumerConfig(
            name=name, durable_name=name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL
        ),
    )
    received: list[Received] = []
    while True:
        try:
            batch = await subscription.fetch(100, timeout=0.5)
        except TimeoutError:
            return received
        for message in batch:
            received.append(Received.of(message))
            await message.ack()


async def test_the_generated_permissions_keep_each_partner_on_its_own_subjects(
    authorised: AuthorisedServer, world: World
) -> None:
    ids = Partners.of(world)
    switch_on(world, authorised.config)
    amber = publish_dataset(world, Tlp.AMBER, frozenset({Principal.partner(ids.b)}))
    ingest(world, amber, 50.0, 150.0)
    green = publish_dataset(world, Tlp.GREEN)
    ingest(world, green, 50.0)
    node = replace(authorised.config, servers=(authorised.url("node"),))
    async with partner_dataset_relay(world.platform.engine, node) as relay:
        await ensure_stream(await relay.jetstream(), node)
        await asyncio.wait_for(relay.relay_once(), WAIT)
    config, stream = authorised.config, authorised.config.stream

    async with as_partner(authorised, "partner-b", ids.b) as b:
        b_read = await read_own(b, config, ids.b)
    assert {x.dataset_id for x in b_read} == {amber, green}  # the positive control: the block works

    async with as_partner(authorised, "partner-c", ids.c) as c_client:
        c_read = await read_own(c_client, config, ids.c)
        assert {x.dataset_id for x in c_read} == {green}
        js = c_client.client.jetstream(timeout=0.5)
        b_tree, b_name = config.partner_tree(ids.b), consumer_name(ids.b)
        own_name_on_b = ConsumerConfig(name=consumer_name(ids.c), durable_name=consumer_name(ids.c))
        b_consumer = ConsumerConfig(name=b_name, durable_name=b_name)
        attempts = {
            f"$JS.API.CONSUMER.CREATE.{stream}.{consumer_name(ids.c)}.{b_tree}": js.add_consumer(
                stream, replace(own_name_on_b, filter_subject=b_tree)
            ),
            f"$JS.API.CONSUMER.CREATE.{stream}.{b_name}.{b_tree}": js.add_consumer(
                stream, replace(b_consumer, filter_subject=b_tree)
            ),
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{b_name}": c_client.client.request(
                f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{b_name}", b'{"batch": 1}', timeout=0.5
            ),
            f"$JS.API.STREAM.MSG.GET.{stream}": js.get_msg(stream, 1),
        }
        for subject, attempt in attempts.items():
            assert await c_client.refused(attempt, subject), subject
        for forbidden in (b_tree, "_INBOX.>"):
            await c_client.client.subscribe(forbidden)
            assert await c_client.reported(f'subscription to "{forbidden.lower()}"'), forbidden
