"""NATS JetStream: the outbox relayed to a stream, and durable consumers that apply events idempotently.

`NatsRelay` reads the outbox after its own cursor (a row in `consumer_cursors`) and publishes every
event on subject `<prefix>.<event type>` with `Nats-Msg-Id` = event id. The cursor moves only after
JetStream acknowledged the publish; if the relay dies between the two, the re-publish falls inside
the stream's duplicate window and JetStream drops it.

`NatsConsumer` pulls from a durable consumer with explicit acks. Applying an event and recording its
id in `applied_events` commit in one transaction, and the message is acked only after that commit,
so a redelivery (lost ack, crash, re-publish outside the duplicate window) is acked without being
applied twice. See docs/adr/0004-nats-jetstream-federation-bus.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import msgspec
import nats
import nats.errors
import nats.js.errors
import sqlalchemy as sa
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from crisislink.adapters.db import outbox
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.codec import label_builtins
from crisislink.adapters.db.engine import writer
from crisislink.kernel.messages import Envelope

log = logging.getLogger(__name__)

EVENT_ROOT = "crisislink"
# What a loop survives by backing off and reconnecting: the server, the network or the database away.
RECOVERABLE: tuple[type[BaseException], ...] = (
    nats.errors.Error,
    OSError,
    TimeoutError,
    sa.exc.OperationalError,
    sa.exc.TimeoutError,  # no pooled connection or write slot in time: the database is overloaded
)

Apply = Callable[[Envelope, sa.Connection], None]
"""Applies one event inside the open transaction that also records it as applied. Must not commit."""


@dataclass(frozen=True, kw_only=True)
class JetStreamConfig:
    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    stream: str = "CRISISLINK"
    subject_prefix: str = ""
    duplicate_window: timedelta = timedelta(hours=1)
    max_age: timedelta | None = None
    request_timeout: float = 5.0
    connect_timeout: int = 2
    reconnect_attempts: int = 10
    reconnect_wait: int = 2
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    client_name: str = "crisislink"

    def __post_init__(self) -> None:
        prefix = self.subject_prefix
        if prefix and (prefix.startswith(".") or prefix.endswith(".") or any(c in prefix for c in " *>\t")):
            raise ValueError(f"invalid subject prefix {prefix!r}: dotted tokens, no wildcards")

    def subject(self, event_type: str) -> str:
        return f"{self.subject_prefix}.{event_type}" if self.subject_prefix else event_type

    @property
    def all_events(self) -> str:
        return self.subject(f"{EVENT_ROOT}.>")


def encode_envelope(envelope: Envelope) -> bytes:
    body = msgspec.to_builtins(envelope)
    body["label"] = label_builtins(envelope.label)
    return msgspec.json.encode(body)


def decode_envelope(data: bytes) -> Envelope:
    envelope = msgspec.json.decode(data, type=Envelope)
    if envelope.occurred_at.utcoffset() is None:
        raise ValueError("envelope occurred_at has no time zone")
    return envelope


async def connect(config: JetStreamConfig) -> Client:
    async def on_error(error: Exception) -> None:
        log.warning("nats: %s", error)

    client: Client = await nats.connect(
        servers=list(config.servers),
        name=config.client_name,
        connect_timeout=config.connect_timeout,
        max_reconnect_attempts=max(config.reconnect_attempts, 1),  # 0 would mean "forever" to nats-py
        reconnect_time_wait=config.reconnect_wait,
        error_cb=on_error,
    )
    return client


async def ensure_stream(js: JetStreamContext, config: JetStreamConfig) -> StreamInfo:
    """Create the stream, or bring subjects, duplicate window and max age in line. Idempotent."""
    wanted = StreamConfig(
        name=config.stream,
        subjects=[config.all_events],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        duplicate_window=config.duplicate_window.total_seconds(),
        max_age=config.max_age.total_seconds() if config.max_age else 0.0,
    )
    try:
        info: StreamInfo = await js.stream_info(config.stream)
    except nats.js.errors.NotFoundError:
        try:
            created: StreamInfo = await js.add_stream(wanted)
            return created
        except nats.js.errors.BadRequestError:  # another process created it meanwhile
            info = await js.stream_info(config.stream)
    current = info.config
    if _managed(current) == _managed(wanted):
        return info
    log.info("updating stream %s: %s -> %s", config.stream, _managed(current), _managed(wanted))
    updated: StreamInfo = await js.update_stream(
        current.evolve(
            subjects=wanted.subjects, duplicate_window=wanted.duplicate_window, max_age=wanted.max_age
        )
    )
    return updated


def _managed(stream: StreamConfig) -> tuple[object, ...]:
    """The settings this module owns; anything else an operator set on the stream is left alone."""
    return (stream.subjects, round(stream.duplicate_window, 3), round(stream.max_age or 0.0, 3))


class _JetStreamLink:
    """A lazily opened connection, closed on errors so the next attempt starts clean."""

    def __init__(self, config: JetStreamConfig) -> None:
        self.config = config
        self._client: Client | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def jetstream(self) -> JetStreamContext:
        if self._client is None or self._client.is_closed:
            self._client = await connect(self.config)
            self._connected()
        return self._client.jetstream(timeout=self.config.request_timeout)

    def _connected(self) -> None:
        """Hook: forget state that belonged to the previous connection."""

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            await client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def kick(self) -> None:
        """Wake a running loop now (callable from any thread, e.g. after a commit)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _keep_running(
        self, step: Callable[[], Coroutine[Any, Any, int]], stop: asyncio.Event, idle: float
    ) -> None:
        self._loop = asyncio.get_running_loop()
        delay = self.config.backoff_initial
        try:
            while not stop.is_set():
                try:
                    done = await _unless_stopped(step(), stop)
                except RECOVERABLE as error:
                    pause = delay * random.uniform(0.8, 1.2)  # noqa: S311 -- jitter, not cryptography
                    log.warning(
                        "%s: %s; retrying in %.1f s", type(self).__name__, error or type(error), pause
                    )
                    await self.close()
                    await _sleep(pause, stop)
                    delay = min(delay * 2, self.config.backoff_max)
                    continue
                delay = self.config.backoff_initial
                if not done:
                    await _sleep(idle, stop, self._wake)
                    self._wake.clear()
        finally:
            await self.close()


async def _unless_stopped(work: Coroutine[Any, Any, int], stop: asyncio.Event) -> int:
    """Run one step; if `stop` is set first, cancel it (safe: nothing is acked or moved before commit)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return 0 if task.cancelled() else task.result()


async def _sleep(seconds: float, *events: asyncio.Event) -> None:
    """Sleep until the time is up or one of the events is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


class NatsRelay(_JetStreamLink):
    """Publishes the outbox to JetStream in position order, at least once, deduplicated by event id."""

    def __init__(
        self, engine: Engine, config: JetStreamConfig, *, name: str = "nats-relay", batch: int = 200
    ) -> None:
        super().__init__(config)
        self._reader = engine
        self._engine = writer(engine)
        self.name = name
        self.batch = batch
        self.published = 0
        self.duplicates = 0

    async def ensure_stream(self) -> StreamInfo:
        return await ensure_stream(await self.jetstream(), self.config)

    async def relay_once(self) -> int:
        """Publish everything pending; return how many events were acknowledged (duplicates included)."""
        js = await self.jetstream()
        total = 0
        while True:
            cursor = await asyncio.to_thread(self._load_cursor)
            pending = await asyncio.to_thread(self._read, cursor)
            if not pending:
                return total
            total += await self._publish(js, pending)

    async def run(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Relay until `stop` is set, backing off while NATS or the database is unreachable."""
        await self._keep_running(self._ensure_and_relay, stop, poll_seconds)

    async def _ensure_and_relay(self) -> int:
        if self._client is None or self._client.is_closed:
            await self.ensure_stream()
        return await self.relay_once()

    async def _publish(self, js: JetStreamContext, envelopes: list[Envelope]) -> int:
        acked: int | None = None
        count = 0
        try:
            for envelope in envelopes:
                await self._publish_one(js, envelope)
                acked = envelope.position
                count += 1
        finally:
            if acked is not None:  # whatever JetStream has acknowledged is done, even if a later one failed
                await asyncio.to_thread(self._save_cursor, acked)
        return count

    async def _publish_one(self, js: JetStreamContext, envelope: Envelope) -> None:
        if not envelope.type.startswith(f"{EVENT_ROOT}."):
            raise ValueError(f"event type {envelope.type!r} is outside {EVENT_ROOT}.>")
        ack = await js.publish(
            self.config.subject(envelope.type),
            encode_envelope(envelope),
            timeout=self.config.request_timeout,
            stream=self.config.stream,
            headers={"Nats-Msg-Id": str(envelope.id)},
        )
        self.published += 1
        if ack.duplicate:
            self.duplicates += 1

    def _load_cursor(self) -> int:
        query = sa.select(t.consumer_cursors.c.position).where(t.consumer_cursors.c.consumer == self.name)
        with self._reader.connect() as conn:
            position = conn.execute(query).scalar()
        if position is not None:
            return int(position)
        with self._engine.begin() as conn:  # first run; another relay may be creating it too
            row = _insert(conn, t.consumer_cursors).values(consumer=self.name, position=0)
            conn.execute(row.on_conflict_do_nothing())
        return self._load_cursor()

    def _read(self, after: int) -> list[Envelope]:
        with self._reader.connect() as conn:
            return outbox.read_after(conn, after, self.batch)

    def _save_cursor(self, position: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                t.consumer_cursors.update()
                .where(t.consumer_cursors.c.consumer == self.name, t.consumer_cursors.c.position < position)
                .values(position=position)
            )


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # apply raised: rolled back, nak'ed, redelivered later
    REJECTED = "rejected"  # not a decodable envelope: logged and terminated, never applied


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    @property
    def applied(self) -> int:
        return self.outcomes.count(Outcome.APPLIED)

    @property
    def duplicates(self) -> int:
        return self.outcomes.count(Outcome.DUPLICATE)

    @property
    def failed(self) -> int:
        return self.outcomes.count(Outcome.FAILED)

    @property
    def rejected(self) -> int:
        return self.outcomes.count(Outcome.REJECTED)

    @property
    def total(self) -> int:
        return len(self.outcomes)


class NatsConsumer(_JetStreamLink):
    """A durable pull consumer that applies each event once, whatever JetStream redelivers."""

    def __init__(
        self,
        engine: Engine,
        config: JetStreamConfig,
        *,
        durable: str,
        apply: Apply,
        filter_subject: str | None = None,
        ack_wait: float = 30.0,
        nak_delay: float = 5.0,
        max_ack_pending: int = 1000,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(config)
        self._engine = writer(engine)
        self.durable = durable
        self._apply = apply
        self.filter_subject = filter_subject or config.all_events
        self._consumer_config = ConsumerConfig(
            durable_name=durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait,
            max_ack_pending=max_ack_pending,
        )
        self.nak_delay = nak_delay
        self._now = now
        self._subscription: JetStreamContext.PullSubscription | None = None

    def _connected(self) -> None:
        self._subscription = None

    async def fetch(self, batch: int, timeout: float) -> list[Msg]:
        """Up to `batch` messages, waiting at most `timeout` seconds; [] if none came."""
        js = await self.jetstream()
        if self._subscription is None:
            self._subscription = await js.pull_subscribe(
                self.filter_subject,
                durable=self.durable,
                stream=self.config.stream,
                config=self._consumer_config,
            )
        try:
            messages: list[Msg] = await self._subscription.fetch(batch, timeout=timeout)
        except TimeoutError:  # nats-py raises its own or asyncio's when nothing came in time
            return []
        return messages

    def apply_once(self, envelope: Envelope) -> bool:
        """Apply and record in one transaction; False (and nothing done) if applied before."""
        with self._engine.begin() as conn:
            if not _claim(conn, self.durable, envelope, self._now()):
                return False
            self._apply(envelope, conn)
        return True

    async def handle(self, message: Msg) -> Outcome:
        try:
            envelope = decode_envelope(message.data)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
            log.error("consumer %s rejects message %s: %s", self.durable, _where(message), error)  # noqa: TRY400
            await message.term()
            return Outcome.REJECTED
        try:
            applied = await asyncio.to_thread(self.apply_once, envelope)
        except Exception:  # rolled back and redelivered later, never dropped
            log.exception(
                "consumer %s failed to apply event %s (%s)", self.durable, envelope.id, envelope.type
            )
            await message.nak(delay=self.nak_delay)
            return Outcome.FAILED
        await message.ack()
        return Outcome.APPLIED if applied else Outcome.DUPLICATE

    async def fetch_and_apply(self, batch: int = 100, timeout: float = 1.0) -> ApplyResult:
        result = ApplyResult()
        for message in await self.fetch(batch, timeout):
            result.add(await self.handle(message))
        if result.total and self._client is not None:  # make sure the acks reached the server
            await self._client.flush(timeout=max(1, round(self.config.request_timeout)))
        return result

    async def run(self, stop: asyncio.Event, batch: int = 100, wait_seconds: float = 1.0) -> None:
        """Consume until `stop` is set, backing off while NATS or the database is unreachable."""

        async def step() -> int:
            return (await self.fetch_and_apply(batch, wait_seconds)).total

        await self._keep_running(step, stop, 0)


def _claim(conn: sa.Connection, consumer: str, envelope: Envelope, now: datetime) -> bool:
    """Record the event as applied by `consumer`; False if it already was (or is being, concurrently)."""
    statement = _insert(conn, t.applied_events).values(
        consumer=consumer, event_id=envelope.id, applied_at=now
    )
    # On PostgreSQL a concurrent twin waits for this row's transaction, then finds the conflict.
    # RETURNING, not rowcount: SQLAlchemy does not keep an INSERT's rowcount by default.
    claimed = statement.on_conflict_do_nothing().returning(t.applied_events.c.event_id)
    return conn.execute(claimed).first() is not None


def _insert(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING (the two databases crisislink runs on)."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def _where(message: Msg) -> str:
    try:
        return f"stream {message.metadata.stream} seq {message.metadata.sequence.stream}"
    except (nats.errors.Error, ValueError, IndexError):
        return f"on {message.subject}"
