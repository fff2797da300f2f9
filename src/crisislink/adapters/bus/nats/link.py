"""The JetStream connection, stream setup and wire format shared by the relay and the consumers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import msgspec
import nats
import nats.errors
import nats.js.errors
import sqlalchemy as sa
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)

from crisislink.adapters.db.codec import label_builtins
from crisislink.kernel.messages import Envelope

log = logging.getLogger(__name__)

EVENT_ROOT = "crisislink"
# Copies addressed to one partner's machine consumers: `<prefix>.partner.<partner id>.…` (ADR 0010). A root of
# its own, outside `crisislink.>`, so the node's own consumers never see the copies.
PARTNER_ROOT = "partner"
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

    def partner_subject(self, partner_id: uuid.UUID, *tokens: str) -> str:
        """A subject of one partner's own tree; NATS authorisation keeps each partner on its own tree."""
        return self.subject(".".join((PARTNER_ROOT, str(partner_id), *tokens)))

    def partner_tree(self, partner_id: uuid.UUID) -> str:
        return self.partner_subject(partner_id, ">")

    @property
    def all_partner_copies(self) -> str:
        return self.subject(f"{PARTNER_ROOT}.>")

    @property
    def stream_subjects(self) -> list[str]:
        return [self.all_events, self.all_partner_copies]


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
        subjects=config.stream_subjects,
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


class JetStreamLink:
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
