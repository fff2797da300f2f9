"""The outbox relayed to JetStream, exactly once per event thanks to Nats-Msg-Id de-duplication.

By default each event goes out once, on its type subject, as its envelope, and a relay without a cursor yet
starts at the beginning of the log. A `route` may choose other copies of some event types instead, with a body
of its own: the partner copies of dataset events (ADR 0010) are one relay with a route that asks the sharing
policy, starting at the log's head (`from_head`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Copy:
    """One publish of an event: its subject, and the Nats-Msg-Id under which JetStream drops a re-publish."""

    subject: str
    msg_id: str


Copies = Callable[[sa.Connection, Sequence[Envelope]], Mapping[uuid.UUID, Sequence[Copy]]]
"""The copies each event gets (by event id; absent: none), decided inside the connection that read them."""


@dataclass(frozen=True)
class Route:
    """Copies of the events of chosen types, instead of every event once on its type subject."""

    types: Collection[str]  # only these are decoded and given to `copies`; the relay scans past the others
    copies: Copies
    body: Callable[[Envelope], bytes]  # what every copy of an event carries


@dataclass(frozen=True)
class _Pending:
    envelope: Envelope
    copies: Sequence[Copy]


@dataclass(frozen=True)
class _Slice:
    pending: list[_Pending]
    scanned: int  # the last position read: every event up to it is pending here or gets no copy


class NatsRelay(JetStreamLink):
    """Publishes the outbox to JetStream in position order, at least once, deduplicated by message id."""

    def __init__(
        self,
        engine: Engine,
        config: JetStreamConfig,
        *,
        name: str = "nats-relay",
        batch: int = 200,
        route: Route | None = None,
        from_head: bool = False,
    ) -> None:
        super().__init__(config)
        self._reader = engine
        self._engine = writer(engine)
        self.name = name
        self.batch = batch
        self._route = route
        self._from_head = from_head  # a new cursor starts after the events already in the log
        self.published = 0
        self.duplicates = 0

    async def ensure_stream(self) -> StreamInfo:
        return await ensure_stream(await self.jetstream(), self.config)

    async def relay_once(self) -> int:
        """Publish everything pending; return how many events were acknowledged (duplicates included; with a
        route, the events of its types)."""
        js = await self.jetstream()
        total = 0
        while True:
            cursor = await asyncio.to_thread(self.ensure_cursor)
            read = await asyncio.to_thread(self._read, cursor)
            if read.scanned == cursor:  # nothing after the cursor
                return total
            total += await self._publish(js, read)

    async def run(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Relay until `stop` is set, backing off while NATS or the database is unreachable."""
        await self._keep_running(self._ensure_and_relay, stop, poll_seconds)

    async def _ensure_and_relay(self) -> int:
        if self._client is None or self._client.is_closed:
            # The cursor first: a relay that starts at the head starts when it is switched on, NATS up or not.
            await asyncio.to_thread(self.ensure_cursor)
            await self.ensure_stream()
        return await self.relay_once()

    async def _publish(self, js: JetStreamContext, read: _Slice) -> int:
        acked: int | None = None
        count = 0
        try:
            for item in read.pending:
                if self._route is None:
                    _within_event_root(item.envelope)
                body = self._body(item.envelope) if item.copies else b""
                for copy in item.copies:
                    await self._publish_one(js, copy, body)
                acked = item.envelope.position  # every copy of the event is acknowledged
                count += 1
            acked = read.scanned  # the events scanned past get no copy: done too
        finally:
            if acked is not None:  # whatever JetStream has acknowledged is done, even if a later one failed
                await asyncio.to_thread(self._save_cursor, acked)
        return count

    async def _publish_one(self, js: JetStreamContext, copy: Copy, body: bytes) -> None:
        ack = await js.publish(
            copy.subject,
            body,
            timeout=self.config.request_timeout,
            stream=self.config.stream,
            headers={"Nats-Msg-Id": copy.msg_id},
        )
        self.published += 1
        if ack.duplicate:
            self.duplicates += 1

    def _body(self, envelope: Envelope) -> bytes:
        return self._route.body(envelope) if self._route else encode_envelope(envelope)

    def _on_type_subject(self, envelopes: Sequence[Envelope]) -> dict[uuid.UUID, list[Copy]]:
        """The default route: every event once, on its type subject, with its id as message id."""
        return {e.id: [Copy(self.config.subject(e.type), str(e.id))] for e in envelopes}

    def ensure_cursor(self) -> int:
        """The relay's position; its cursor is created on the first call, at 0 or (`from_head`) at the head."""
        query = sa.select(t.consumer_cursors.c.position).where(t.consumer_cursors.c.consumer == self.name)
        with self._reader.connect() as conn:
            position = conn.execute(query).scalar()
        if position is not None:
            return int(position)
        with self._engine.begin() as conn:  # first run; another relay may be creating it too
            start = _head(conn) if self._from_head else 0
            row = insert_ignoring_duplicates(conn, t.consumer_cursors)
            conn.execute(row.values(consumer=self.name, position=start).on_conflict_do_nothing())
        return self.ensure_cursor()

    def _read(self, after: int) -> _Slice:
        copies: Mapping[uuid.UUID, Sequence[Copy]]
        with self._reader.connect() as conn:
            if self._route is None:
                envelopes = outbox.read_after(conn, after, self.batch)
                copies = self._on_type_subject(envelopes)
                scanned = _position(envelopes[-1]) if envelopes else after
            else:  # only the routed types are decoded
                envelopes, scanned = outbox.read_wanted_after(conn, after, self.batch, self._route.types)
                copies = self._route.copies(conn, envelopes) if envelopes else {}
        return _Slice([_Pending(envelope, copies.get(envelope.id, ())) for envelope in envelopes], scanned)

    def _save_cursor(self, position: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                t.consumer_cursors.update()
                .where(t.consumer_cursors.c.consumer == self.name, t.consumer_cursors.c.position < position)
                .values(position=position)
            )


def _head(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(t.events.c.position))).scalar() or 0)


def _position(envelope: Envelope) -> int:
    if envelope.position is None:
        raise ValueError(f"event {envelope.id} was not read from the outbox")
    return envelope.position


def _within_event_root(envelope: Envelope) -> None:
    if not envelope.type.startswith(f"{EVENT_ROOT}."):
        raise ValueError(f"event type {envelope.type!r} is outside {EVENT_ROOT}.>")
