"""Delivers committed events from the outbox to in-process consumers, exactly once each.

Every consumer has a cursor (the last position it has dealt with). A handler runs inside a unit of
work that also moves the cursor, so its effects and the fact that it ran commit together: after a
crash, nothing is lost and nothing is applied twice. A failing handler does not block the others:
its event is parked as a delivery to retry with back-off, and after `max_attempts` it is dead-lettered,
visible with `crisislink events dead-letters`, never swallowed.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import outbox
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.codec import EventRegistry
from crisislink.adapters.db.engine import writer
from crisislink.adapters.db.uow import AuditContext, SqlUnitOfWork
from crisislink.kernel.messages import SYSTEM, Envelope, Event

log = logging.getLogger(__name__)
BATCH = 200
# A consumer's cursor moved past events it does not handle is saved at most this often: that move
# decides nothing (no delivery is claimed by it), so losing it in a crash only costs a rescan.
SKIP_SAVE_EVENTS = 1000


class EventHandler(Protocol):
    def __call__(self, event: Event, uow: SqlUnitOfWork, /) -> None: ...


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: frozenset[str]
    handler: EventHandler


class OutboxDispatcher:
    def __init__(
        self,
        engine: Engine,
        registry: EventRegistry,
        consumers: Mapping[str, Consumer],
        uow_factory: Callable[[], SqlUnitOfWork],
        now: Callable[[], datetime],
        *,
        max_attempts: int = 5,
        backoff: timedelta = timedelta(seconds=2),
    ) -> None:
        self._engine = writer(engine)
        self._reader = engine
        self._registry = registry
        self._consumers = dict(consumers)
        self._uow_factory = uow_factory
        self._now = now
        self.max_attempts = max_attempts
        self._backoff = backoff
        self._wake = threading.Event()
        # How far each consumer has scanned past events it does not handle, ahead of its saved cursor.
        self._skipped_to: dict[str, int] = {}
        self.after_delivery: Callable[[list[Envelope]], None] = lambda _envelopes: None

    def kick(self) -> None:
        self._wake.set()

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                self.drain()
            except Exception:  # the loop must survive a broken database moment; it retries next tick
                log.exception("event dispatcher pass failed; retrying")
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def drain(self) -> int:
        """Deliver everything pending (new events and due retries); return how many handlers ran."""
        total = 0
        for consumer in self._consumers.values():
            total += self._drain_consumer(consumer)
        due = self._due_retries()  # one look for all consumers: most passes find none
        for consumer in self._consumers.values():
            if consumer.name in due:
                total += self._retry(consumer, due[consumer.name])
        return total

    def _due_retries(self) -> dict[str, list[uuid.UUID]]:
        query = sa.select(t.deliveries.c.consumer, t.deliveries.c.event_id).where(
            t.deliveries.c.status == "retry", t.deliveries.c.next_attempt_at <= self._now()
        )
        due: dict[str, list[uuid.UUID]] = {}
        with self._reader.connect() as conn:
            for consumer, event_id in conn.execute(query):
                due.setdefault(consumer, []).append(event_id)
        return due

    def _drain_consumer(self, consumer: Consumer) -> int:
        ran = 0
        while True:
            saved = self._cursor(consumer.name)
            cursor = max(saved, self._skipped_to.get(consumer.name, 0))
            with self._reader.connect() as conn:
                wanted, end = outbox.read_wanted_after(conn, cursor, BATCH, consumer.event_types)
            if end == cursor:
                return ran
            if not wanted:
                self._skip(consumer.name, saved, end)
                continue
            if self._deliver_batch(consumer, wanted, end):
                ran += len(wanted)
                continue
            for envelope in wanted:  # one of them failed: deliver them one by one, so the rest go through
                assert envelope.position is not None
                self._deliver(consumer, envelope, advance_to=envelope.position)
                ran += 1
            with self._engine.begin() as conn:
                _set_cursor(conn, consumer.name, end)

    def _skip(self, consumer: str, saved: int, end: int) -> None:
        """Move past events the consumer does not handle; write the cursor only now and then."""
        self._skipped_to[consumer] = end
        if end - saved >= SKIP_SAVE_EVENTS:
            with self._engine.begin() as conn:
                _set_cursor(conn, consumer, end)

    def _deliver_batch(self, consumer: Consumer, envelopes: list[Envelope], end: int) -> bool:
        """All of a batch in one transaction (one fsync): True if it committed, or another dispatcher had it."""
        first = envelopes[0].position or 0
        try:
            with self._uow_factory() as uow:
                uow.audit_as(
                    AuditContext(actor=SYSTEM, command=f"{consumer.name} handles {len(envelopes)} events")
                )
                if not _set_cursor(uow.connection, consumer.name, end, claim_from=first):
                    return True
                uow.commits_held = True
                for envelope in envelopes:
                    consumer.handler(outbox.to_event(self._registry, envelope), uow)
                    uow.settle(caused_by=envelope.id, correlation_id=envelope.correlation_id)
                uow.commits_held = False
                uow.commit()
        except Exception:  # noqa: BLE001 -- the batch rolled back; each event is retried on its own
            log.info("batch delivery to %s failed; delivering one by one", consumer.name)
            return False
        if uow.committed:
            self.after_delivery(uow.committed)
            self.kick()
        return True

    def _cursor(self, consumer: str) -> int:
        query = sa.select(t.consumer_cursors.c.position).where(t.consumer_cursors.c.consumer == consumer)
        with self._reader.connect() as conn:
            position = conn.execute(query).scalar()
        if position is not None:
            return int(position)
        try:
            with self._engine.begin() as conn:
                conn.execute(t.consumer_cursors.insert().values(consumer=consumer, position=0))
        except sa.exc.IntegrityError:
            pass  # another dispatcher created it first; either way it exists now
        return self._cursor(consumer)

    def _deliver(self, consumer: Consumer, envelope: Envelope, *, advance_to: int | None) -> None:
        try:
            self._run_handler(consumer, envelope, advance_to)
        except Exception as error:  # noqa: BLE001 -- any handler failure is parked for retry, never lost
            self._park(consumer.name, envelope, error, advance_to)

    def _run_handler(self, consumer: Consumer, envelope: Envelope, advance_to: int | None) -> None:
        event = outbox.to_event(self._registry, envelope)
        with self._uow_factory() as uow:
            uow.audit_as(
                AuditContext(
                    actor=SYSTEM,
                    command=f"{consumer.name} handles {envelope.type}",
                    correlation_id=envelope.correlation_id,
                    causation_id=envelope.id,
                )
            )
            # Claim the delivery first: if another dispatcher got there, this transaction does nothing.
            if not _claim(uow.connection, consumer.name, envelope.id, advance_to, self._now()):
                return
            uow.commits_held = True
            consumer.handler(event, uow)
            uow.commits_held = False
            uow.commit()
        if uow.committed:
            self.after_delivery(uow.committed)
            self.kick()

    def _park(self, consumer: str, envelope: Envelope, error: Exception, advance_to: int | None) -> None:
        now = self._now()
        detail = "".join(traceback.format_exception_only(error)).strip()
        log.warning("consumer %s failed on event %s (%s): %s", consumer, envelope.id, envelope.type, detail)
        with self._engine.begin() as conn:
            attempts = _attempts(conn, consumer, envelope.id) + 1
            status = "dead" if attempts >= self.max_attempts else "retry"
            due = now + self._backoff * (2 ** (attempts - 1))
            _upsert_delivery(
                conn, consumer, envelope.id, status=status, attempts=attempts, error=detail, due=due, now=now
            )
            if advance_to is not None:
                _set_cursor(conn, consumer, advance_to)

    def _retry(self, consumer: Consumer, event_ids: list[uuid.UUID]) -> int:
        with self._reader.connect() as conn:
            envelopes = outbox.read_ids(conn, event_ids)
        for envelope in envelopes:
            self._deliver(consumer, envelope, advance_to=None)
        return len(envelopes)


def _set_cursor(conn: sa.Connection, consumer: str, position: int, claim_from: int | None = None) -> bool:
    """Move the cursor forward to `position`; with `claim_from`, only if no event from there on was taken."""
    below = position if claim_from is None else claim_from
    result = conn.execute(
        t.consumer_cursors.update()
        .where(t.consumer_cursors.c.consumer == consumer, t.consumer_cursors.c.position < below)
        .values(position=position)
    )
    return result.rowcount == 1


def _claim(
    conn: sa.Connection, consumer: str, event_id: uuid.UUID, advance_to: int | None, now: datetime
) -> bool:
    """Take a delivery: move the cursor past a new event, or a parked retry to done. False if taken already."""
    if advance_to is not None:
        return _set_cursor(conn, consumer, advance_to)
    result = conn.execute(
        t.deliveries.update()
        .where(
            t.deliveries.c.consumer == consumer,
            t.deliveries.c.event_id == event_id,
            t.deliveries.c.status == "retry",
        )
        .values(status="done", updated_at=now, next_attempt_at=None)
    )
    return result.rowcount == 1


def _attempts(conn: sa.Connection, consumer: str, event_id: uuid.UUID) -> int:
    value = conn.execute(
        sa.select(t.deliveries.c.attempts).where(
            t.deliveries.c.consumer == consumer, t.deliveries.c.event_id == event_id
        )
    ).scalar()
    return int(value or 0)


def _upsert_delivery(conn: sa.Connection, consumer: str, event_id: uuid.UUID, **values: Any) -> None:
    row = {
        "status": values["status"],
        "attempts": values["attempts"],
        "last_error": values["error"],
        "next_attempt_at": values["due"],
        "updated_at": values["now"],
    }
    key = (t.deliveries.c.consumer == consumer, t.deliveries.c.event_id == event_id)
    if conn.execute(t.deliveries.update().where(*key).values(**row)).rowcount == 0:
        conn.execute(t.deliveries.insert().values(consumer=consumer, event_id=event_id, **row))


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    event_id: uuid.UUID
    event_type: str
    attempts: int
    last_error: str | None
    updated_at: datetime


def dead_letters(engine: Engine, status: str = "dead") -> list[DeadLetter]:
    query = (
        sa.select(t.deliveries, t.events.c.type)
        .join(t.events, t.events.c.id == t.deliveries.c.event_id)
        .where(t.deliveries.c.status == status)
        .order_by(t.deliveries.c.updated_at)
    )
    with engine.connect() as conn:
        return [
            DeadLetter(row.consumer, row.event_id, row.type, row.attempts, row.last_error, row.updated_at)
            for row in conn.execute(query)
        ]


def requeue(engine: Engine, now: datetime, event_id: uuid.UUID | None = None) -> int:
    """Give dead letters another round of attempts (after the cause was fixed)."""
    condition = t.deliveries.c.status == "dead"
    if event_id is not None:
        condition = sa.and_(condition, t.deliveries.c.event_id == event_id)
    with writer(engine).begin() as conn:
        result = conn.execute(
            t.deliveries.update()
            .where(condition)
            .values(status="retry", attempts=0, next_attempt_at=now, updated_at=now)
        )
        return int(result.rowcount)
