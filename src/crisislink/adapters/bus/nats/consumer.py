"""Durable JetStream consumers that apply events idempotently (applied_events, one transaction)."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec
import nats
import nats.errors
import nats.js.errors
import sqlalchemy as sa
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
)
from sqlalchemy.engine import Engine

from crisislink.adapters.bus.nats.link import (
    Apply,
    JetStreamConfig,
    JetStreamLink,
    decode_envelope,
)
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import writer
from crisislink.adapters.db.functions import insert_ignoring_duplicates
from crisislink.kernel.messages import Envelope

log = logging.getLogger(__name__)


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


class NatsConsumer(JetStreamLink):
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
    statement = insert_ignoring_duplicates(conn, t.applied_events).values(
        consumer=consumer, event_id=envelope.id, applied_at=now
    )
    # On PostgreSQL a concurrent twin waits for this row's transaction, then finds the conflict.
    # RETURNING, not rowcount: SQLAlchemy does not keep an INSERT's rowcount by default.
    claimed = statement.on_conflict_do_nothing().returning(t.applied_events.c.event_id)
    return conn.execute(claimed).first() is not None


def _where(message: Msg) -> str:
    try:
        return f"stream {message.metadata.stream} seq {message.metadata.sequence.stream}"
    except (nats.errors.Error, ValueError, IndexError):
        return f"on {message.subject}"
