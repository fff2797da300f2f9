"""The NATS JetStream relay and durable consumer against a real nats-server (`-js`).

Each test gets its own stream and subject prefix, deleted afterwards. Run a server with
`nats-server -js` (or point CRISISLINK_TEST_NATS_URL at one); without it these tests are skipped,
and in CI (CI=true) they fail.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import nats
import nats.errors
import pytest
import sqlalchemy as sa
from nats.aio.msg import Msg
from sqlalchemy.engine import Engine

from crisislink.adapters.bus.nats import (
    ApplyResult,
    JetStreamConfig,
    NatsConsumer,
    NatsRelay,
    decode_envelope,
    encode_envelope,
)
from crisislink.adapters.db import outbox
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Envelope
from tests.support import IN_CI, World, build_world, make_platform, migrated

pytestmark = pytest.mark.nats

NATS_URL = os.environ.get("CRISISLINK_TEST_NATS_URL", "nats://127.0.0.1:4222")
HOW_TO_RUN = "start `nats-server -js` or set CRISISLINK_TEST_NATS_URL to a NATS server with JetStream"
WAIT = 15.0  # upper bound for any one scenario to settle


async def _jetstream_reachable(url: str) -> str | None:
    async def quiet(_error: Exception) -> None:
        return None

    try:
        client = await nats.connect(
            url, connect_timeout=1, max_reconnect_attempts=1, reconnect_time_wait=0, error_cb=quiet
        )
    except (nats.errors.Error, OSError, TimeoutError) as error:
        return f"NATS at {url} is unreachable ({error or type(error).__name__})"
    try:
        await client.jetstream(timeout=2).account_info()
    except (nats.errors.Error, TimeoutError) as error:
        return f"NATS at {url} has no JetStream ({error or type(error).__name__})"
    finally:
        await client.close()
    return None


@pytest.fixture
async def jetstream() -> AsyncIterator[JetStreamConfig]:
    problem = await _jetstream_reachable(NATS_URL)
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true but {problem}; {HOW_TO_RUN}")
        pytest.skip(f"{problem}; {HOW_TO_RUN}")
    tag = uuid.uuid4().hex[:12]
    config = JetStreamConfig(
        servers=(NATS_URL,),
        stream=f"CRISISLINK_TEST_{tag}",
        subject_prefix=f"test.{tag}",
        request_timeout=3.0,
        reconnect_attempts=1,
        reconnect_wait=0,
    )
    yield config
    client = await nats.connect(NATS_URL, connect_timeout=2, allow_reconnect=False)
    try:
        await asyncio.wait_for(client.jetstream().delete_stream(config.stream), 5)
    except nats.errors.Error:
        pass  # never created (e.g. the test failed before)
    finally:
        await client.close()


@pytest.fixture
def source(sqlite_url: str) -> Iterator[World]:
    """The publishing node, with a world of real events in its outbox (incl. an AMBER contact point)."""
    platform = make_platform(sqlite_url)
    world = build_world(platform)
    world.contact(
        "BE-NCCN", Tlp.AMBER, audience=frozenset({Principal.partner(world.partners["NL-VR23"])}), name="Amber"
    )
    yield world
    platform.stop()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Engine]:
    """The receiving node's database, where applied events are recorded."""
    url = f"sqlite:///{tmp_path / 'receiving-node.db'}"
    migrated(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@dataclass
class Recorder:
    """An `apply` that remembers what it applied; optionally fails once on chosen event ids."""

    seen: list[Envelope] = field(default_factory=list)
    fail_once: set[uuid.UUID] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, envelope: Envelope, connection: sa.Connection) -> None:
        assert connection.in_transaction()
        with self._lock:
            if envelope.id in self.fail_once:
                self.fail_once.discard(envelope.id)
                raise RuntimeError("apply failed (on purpose)")
            self.seen.append(envelope)


def outbox_envelopes(world: World) -> list[Envelope]:
    with world.platform.engine.connect() as conn:
        return outbox.read_after(conn, 0, 10_000)


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def cursor(engine: Engine, name: str = "nats-relay") -> int | None:
    with engine.connect() as conn:
        query = sa.select(t.consumer_cursors.c.position).where(t.consumer_cursors.c.consumer == name)
        value = conn.execute(query).scalar()
        return None if value is None else int(value)


async def consume(consumer: NatsConsumer, expected: int, seconds: float = WAIT) -> ApplyResult:
    """Fetch and apply until `expected` messages were dealt with (applied or skipped), bounded in time."""
    total = ApplyResult()
    async with asyncio.timeout(seconds):
        while total.applied + total.duplicates < expected:
            for outcome in (await consumer.fetch_and_apply(batch=50, timeout=0.5)).outcomes:
                total.add(outcome)
    return total


async def stream_state(config: JetStreamConfig) -> tuple[int, dict[str, int]]:
    client = await nats.connect(NATS_URL, connect_timeout=2, allow_reconnect=False)
    try:
        info = await client.jetstream().stream_info(config.stream, subjects_filter=">")
        return info.state.messages, dict(info.state.subjects or {})
    finally:
        await client.close()


async def publish_all(world: World, config: JetStreamConfig) -> int:
    async with NatsRelay(world.platform.engine, config) as relay:
        await relay.ensure_stream()
        return await asyncio.wait_for(relay.relay_once(), WAIT)


def test_envelopes_round_trip_through_the_wire_format(source: World) -> None:
    envelopes = outbox_envelopes(source)
    assert envelopes
    assert [decode_envelope(encode_envelope(e)) for e in envelopes] == envelopes


def test_apply_once_applies_and_records_in_one_transaction_on_both_databases(
    db_url: str, source: World
) -> None:
    """The idempotence check itself (no NATS needed): SQLite and PostgreSQL claim rows differently."""
    envelope = outbox_envelopes(source)[0]
    engine = make_engine(db_url)
    recorder = Recorder(fail_once={envelope.id})
    consumer = NatsConsumer(engine, JetStreamConfig(), durable="node-nl", apply=recorder)
    with pytest.raises(RuntimeError, match="on purpose"):
        consumer.apply_once(envelope)
    assert count(engine, t.applied_events) == 0  # the marker rolled back with the failed apply
    assert consumer.apply_once(envelope) is True
    assert consumer.apply_once(envelope) is False
    assert [e.id for e in recorder.seen] == [envelope.id]
    assert count(engine, t.applied_events) == 1
    engine.dispose()


async def test_relay_publishes_each_event_and_a_durable_consumer_applies_it_once_in_order(
    jetstream: JetStreamConfig, source: World, target: Engine
) -> None:
    expected = outbox_envelopes(source)
    async with NatsRelay(source.platform.engine, jetstream) as relay:
        await relay.ensure_stream()
        await relay.ensure_stream()  # idempotent
        assert await asyncio.wait_for(relay.relay_once(), WAIT) == len(expected)
        assert await asyncio.wait_for(relay.relay_once(), WAIT) == 0  # nothing pending any more
    assert cursor(source.platform.engine) == expected[-1].position
    messages, subjects = await stream_state(jetstream)
    assert messages == len(expected)
    assert set(subjects) == {f"{jetstream.subject_prefix}.{e.type}" for e in expected}

    recorder = Recorder()
    async with NatsConsumer(target, jetstream, durable="node-nl", apply=recorder) as consumer:
        result = await consume(consumer, len(expected))
        assert (await consumer.fetch_and_apply(batch=50, timeout=0.5)).total == 0
    assert (result.applied, result.duplicates, result.failed) == (len(expected), 0, 0)
    assert recorder.seen == expected  # same ids, same order, labels (marking, audience, owner) intact
    amber = [e for e in recorder.seen if e.label.marking is Tlp.AMBER]
    assert amber
    assert amber[0].label.audience == frozenset({Principal.partner(source.partners["NL-VR23"])})
    assert count(target, t.applied_events) == len(expected)


async def test_ensure_stream_updates_the_settings_it_owns(jetstream: JetStreamConfig) -> None:
    async with NatsRelay(sa.create_engine("sqlite://"), jetstream) as relay:
        first = await relay.ensure_stream()
        assert first.config.duplicate_window == jetstream.duplicate_window.total_seconds()
        relay.config = replace(jetstream, duplicate_window=timedelta(minutes=5))
        second = await relay.ensure_stream()
    assert second.config.duplicate_window == 300
    prefix = jetstream.subject_prefix  # the events, and the partner copies of dataset events (ADR 0010)
    assert second.config.subjects == [f"{prefix}.crisislink.>", f"{prefix}.partner.>"]


async def test_a_relay_crash_before_the_cursor_commit_is_deduplicated_by_jetstream(
    jetstream: JetStreamConfig, source: World, target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = outbox_envelopes(source)
    crashing = NatsRelay(source.platform.engine, jetstream)

    def crash(_position: int) -> None:
        raise RuntimeError("killed between the publish acks and the cursor commit")

    monkeypatch.setattr(crashing, "_save_cursor", crash)
    async with crashing:
        await crashing.ensure_stream()
        with pytest.raises(RuntimeError, match="killed"):
            await asyncio.wait_for(crashing.relay_once(), WAIT)
    assert crashing.published == len(expected)
    assert cursor(source.platform.engine) == 0  # the cursor update never committed

    async with NatsRelay(source.platform.engine, jetstream) as restarted:
        assert await asyncio.wait_for(restarted.relay_once(), WAIT) == len(expected)
        assert restarted.duplicates == len(expected)  # JetStream dropped every re-publish
    assert cursor(source.platform.engine) == expected[-1].position
    assert (await stream_state(jetstream))[0] == len(expected)

    recorder = Recorder()
    async with NatsConsumer(target, jetstream, durable="node-nl", apply=recorder) as consumer:
        result = await consume(consumer, len(expected))
        assert (await consumer.fetch_and_apply(batch=50, timeout=0.5)).total == 0
    assert (result.applied, result.duplicates) == (len(expected), 0)
    assert [e.id for e in recorder.seen] == [e.id for e in expected]


async def test_a_consumer_crash_before_acking_redelivers_without_applying_twice(
    jetstream: JetStreamConfig, source: World, target: Engine
) -> None:
    expected = outbox_envelopes(source)
    assert await publish_all(source, jetstream) == len(expected)
    recorder = Recorder()
    half = len(expected) // 2

    crashing = NatsConsumer(target, jetstream, durable="node-nl", apply=recorder, ack_wait=1.0)
    fetched: list[Msg] = []
    async with asyncio.timeout(WAIT):
        while len(fetched) < len(expected):
            fetched += await crashing.fetch(len(expected) - len(fetched), timeout=1.0)
    for message in fetched[:half]:  # applied and committed, but the process dies before the acks
        assert await asyncio.to_thread(crashing.apply_once, decode_envelope(message.data))
    await crashing.close()
    assert count(target, t.applied_events) == half

    restarted = NatsConsumer(target, jetstream, durable="node-nl", apply=recorder)
    async with restarted:
        result = await consume(restarted, len(expected))
        assert (await restarted.fetch_and_apply(batch=50, timeout=1.5)).total == 0
    assert (result.applied, result.duplicates, result.failed) == (len(expected) - half, half, 0)
    assert count(target, t.applied_events) == len(expected)
    applied = Counter(e.id for e in recorder.seen)
    assert set(applied) == {e.id for e in expected}
    assert set(applied.values()) == {1}  # the apply callback ran exactly once per event


async def test_a_failing_apply_rolls_back_and_is_retried_later(
    jetstream: JetStreamConfig, source: World, target: Engine
) -> None:
    expected = outbox_envelopes(source)
    await publish_all(source, jetstream)
    unlucky = expected[1].id
    recorder = Recorder(fail_once={unlucky})
    async with NatsConsumer(target, jetstream, durable="node-nl", apply=recorder, nak_delay=0.2) as consumer:
        result = await consume(consumer, len(expected))
    assert (result.applied, result.failed) == (len(expected), 1)
    assert Counter(e.id for e in recorder.seen)[unlucky] == 1
    assert count(target, t.applied_events) == len(expected)


async def test_a_consumer_catches_up_on_what_was_published_while_it_was_offline(
    jetstream: JetStreamConfig, source: World, target: Engine
) -> None:
    before = outbox_envelopes(source)
    await publish_all(source, jetstream)
    recorder = Recorder()
    async with NatsConsumer(target, jetstream, durable="node-nl", apply=recorder) as consumer:
        await consume(consumer, len(before))

    # Offline: the source node keeps working and its relay keeps publishing.
    for number in range(3):
        source.contact("BE-PROV-LIEGE", Tlp.GREEN, name=f"While offline {number}")
    assert await publish_all(source, jetstream) == 3
    missed = outbox_envelopes(source)[len(before) :]

    async with NatsConsumer(target, jetstream, durable="node-nl", apply=recorder) as consumer:
        result = await consume(consumer, len(missed))
        assert (await consumer.fetch_and_apply(batch=50, timeout=0.5)).total == 0
    assert (result.applied, result.duplicates) == (3, 0)
    assert recorder.seen == before + missed
    assert count(target, t.applied_events) == len(before) + 3


async def test_the_run_loops_relay_and_apply_new_events_until_stopped(
    jetstream: JetStreamConfig, source: World, target: Engine
) -> None:
    stop = asyncio.Event()
    recorder = Recorder()
    relay = NatsRelay(source.platform.engine, jetstream)
    consumer = NatsConsumer(target, jetstream, durable="node-nl", apply=recorder)
    tasks = [
        asyncio.create_task(relay.run(stop, poll_seconds=0.1)),
        asyncio.create_task(consumer.run(stop, wait_seconds=0.2)),
    ]
    source.contact("BE-NCCN", Tlp.CLEAR, name="Published by the loop")
    relay.kick()
    expected = outbox_envelopes(source)
    async with asyncio.timeout(WAIT):
        while len(recorder.seen) < len(expected):
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert recorder.seen == expected


async def test_the_relay_loop_backs_off_while_nats_is_unreachable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alone.db'}"
    migrated(url)
    engine = make_engine(url)
    config = JetStreamConfig(
        servers=("nats://127.0.0.1:1",), connect_timeout=1, reconnect_attempts=1, reconnect_wait=0
    )
    relay = NatsRelay(engine, replace(config, backoff_initial=0.05, backoff_max=0.2))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.5)
    assert not task.done()  # still trying, not crashed
    stop.set()
    await asyncio.wait_for(task, 5)
    assert relay.published == 0
    engine.dispose()


async def test_stopping_interrupts_a_connect_that_is_still_retrying(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alone.db'}"
    migrated(url)
    engine = make_engine(url)
    # nats-py alone would keep retrying this connect for ~20 s (10 attempts, 2 s apart).
    relay = NatsRelay(engine, JetStreamConfig(servers=("nats://127.0.0.1:1",), connect_timeout=1))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, 3)
    engine.dispose()
