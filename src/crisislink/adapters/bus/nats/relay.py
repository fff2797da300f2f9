"""The outbox relayed to JetStream, exactly once per event thanks to Nats-Msg-Id de-duplication."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from nats.js import JetStreamContext
from nats.js.api import (
    StreamInfo,
)
from sqlalchemy.engine import Engine

from crisislink.adapters.bus.nats.link import (
    EVENT_ROOT,
    JetStreamConfig,
    JetStreamLink,
    encode_envelope,
    ensure_stream,
)
from crisislink.adapters.db import outbox
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import writer
from crisislink.adapters.db.functions import insert_ignoring_duplicates
from crisislink.kernel.messages import Envelope

log = logging.getLogger(__name__)


class NatsRelay(JetStreamLink):
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
            row = insert_ignoring_duplicates(conn, t.consumer_cursors).values(consumer=self.name, position=0)
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
