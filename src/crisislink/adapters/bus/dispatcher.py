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
import time
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
# Retries are parked for seconds at least (`backoff`), so the run loop looks for due ones this often,
# not after every commit.
RETRY_LOOK_SECONDS = 0.25
# Under load (something was delivered in the last BUSY_SECONDS), a wake-up waits LINGER_SECONDS first, so
# that the events committed meanwhile share one delivery transaction per consumer (one fsync) instead of
# each taking the write lock from the next command. An idle node delivers at once.
LINGER_SECONDS = 0.005
BUSY_SECONDS = 0.1


class EventHandler(Protocol):
    def __call__(self, event: Event, uow: SqlUnitOfWork, /) -> None: ...


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: frozenset[str]
    handler: EventHandler
    # Called after each committed delivery, e.g. to wake the worker that sends what the handler queued.
    after_commit: Callable[[], None] | None = None


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
        self._raised = 0  # events raised by handlers this dispatcher ran
        self.after_delivery: Callable[[list[Envelope]], None] = lambda _envelopes: None

    def kick(self) -> None:
        self._wake.set()

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        next_retry_look = busy_until = 0.0
        while not stop.is_set():
            look = time.monotonic() >= next_retry_look
            try:
                if self.drain(retries=look):
                    busy_until = time.monotonic() + BUSY_SECONDS
            except Exception:  # the loop must survive a broken database moment; it retries next tick
                log.exception("event dispatcher pass failed; retrying")
            if look:
                next_retry_look = time.monotonic() + RETRY_LOOK_SECONDS
            if self._wake.wait(poll_seconds) and time.monotonic() < busy_until:
                stop.wait(LINGER_SECONDS)
            self._wake.clear()

    def drain(self, *, retries: bool = True) -> int:
        """Deliver everything pending (new events, and due retries unless told not to look); return how
        many handlers ran."""
        total, saved = 0, self._cursors()
        while True:
            raised_before = self._raised
            ran, scanned = self._pass(saved)
            total += ran
            # A short window reached the end of the log, unless a handler raised events meanwhile (another
            # consumer may want them); whatever else commits later kicks the run loop again.
            if scanned < BATCH and self._raised == raised_before:
                break
        due = self._due_retries() if retries else {}  # one look for all consumers: most find none
        for consumer in self._consumers.values():
            if consumer.name in due:
                total += self._retry(consumer, due[consumer.name])
        return total

    def _pass(self, saved: dict[str, int]) -> tuple[int, int]:
        """One window of the log for every consumer at once: the log scanned once, the payloads read
        once. Returns how many handlers ran and how many events the window held; `saved` (the cursors)
        follows what this pass committed."""
        at = {name: max(position, self._skipped_to.get(name, 0)) for name, position in saved.items()}
        start = min(at.values(), default=0)
        with self._reader.connect() as conn:
            scanned = outbox.scan_after(conn, start, BATCH)
            if not scanned:
                return 0, 0
            wanted = {
                name: [p for p, kind in scanned if p > at[name] and kind in consumer.event_types]
                for name, consumer in self._consumers.items()
            }
            envelopes = outbox.read_positions(conn, sorted({p for ps in wanted.values() for p in ps}))
        end, ran = scanned[-1][0], 0
        for name, consumer in self._consumers.items():
            if at[name] >= end:
                continue
            if not wanted[name]:
                self._skip(name, saved[name], end)
                continue
            window = [envelopes[p] for p in wanted[name]]
            if self._deliver_window(consumer, window, end):
                ran += len(window)
                saved[name] = end
            else:  # another dispatcher took the window: read where it got to
                saved[name] = self._cursor(name)
        return ran, len(scanned)

    def _cursors(self) -> dict[str, int]:
        """Every consumer's saved cursor, in one read; a consumer seen for the first time starts at 0."""
        with self._reader.connect() as conn:
            saved = {str(name): int(at) for name, at in conn.execute(_ALL_CURSORS)}
        missing = [name for name in self._consumers if name not in saved]
        for name in missing:
            saved[name] = self._cursor(name)
        return {name: int(saved[name]) for name in self._consumers}

    def _due_retries(self) -> dict[str, list[uuid.UUID]]:
        query = sa.select(t.deliveries.c.consumer, t.deliveries.c.event_id).where(
            t.deliveries.c.status == "retry", t.deliveries.c.next_attempt_at <= self._now()
        )
        due: dict[str, list[uuid.UUID]] = {}
        with self._reader.connect() as conn:
            for consumer, event_id in conn.execute(query):
                due.setdefault(consumer, []).append(event_id)
        return due

    def _deliver_window(self, consumer: Consumer, wanted: list[Envelope], end: int) -> bool:
        """Deliver a consumer's share of a window; False if another dispatcher had claimed it."""
        outcome = self._deliver_batch(consumer, wanted, end)
        if outcome is not None:
            return outcome
        for envelope in wanted:  # one of them failed: deliver them one by one, so the rest go through
            assert envelope.position is not None
            self._deliver(consumer, envelope, advance_to=envelope.position)
        with self._engine.begin() as conn:
            _set_cursor(conn, consumer.name, end)
        return True

    def _skip(self, consumer: str, saved: int, end: int) -> None:
        """Move past events the consumer does not handle; write the cursor only now and then."""
        self._skipped_to[consumer] = end
        if end - saved >= SKIP_SAVE_EVENTS:
            with self._engine.begin() as conn:
                _set_cursor(conn, consumer, end)

    def _deliver_batch(self, consumer: Consumer, envelopes: list[Envelope], end: int) -> bool | None:
        """All of a batch in one transaction (one fsync): True if it committed, False if another
        dispatcher had it, None if a handler failed (the batch rolled back)."""
        first = envelopes[0].position or 0
        try:
            with self._uow_factory() as uow:
                uow.audit_as(
                    AuditContext(actor=SYSTEM, command=f"{consumer.name} handles {len(envelopes)} events")
                )
                if not _set_cursor(uow.connection, consumer.name, end, claim_from=first):
                    return False
                uow.commits_held = True
                for envelope in envelopes:
                    consumer.handler(outbox.to_event(self._registry, envelope), uow)
                    uow.settle(caused_by=envelope.id, correlation_id=envelope.correlation_id)
                uow.commits_held = False
                uow.commit()
        except Exception:  # noqa: BLE001 -- the batch rolled back; each event is retried on its own
            log.info("batch delivery to %s failed; delivering one by one", consumer.name)
            return None
        self._delivered(consumer, uow.committed)
        return True

    def _delivered(self, consumer: Consumer, committed: list[Envelope]) -> None:
        if consumer.after_commit is not None:
            consumer.after_commit()
        if committed:
            self._raised += len(committed)
            self.after_delivery(committed)
            self.kick()

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
        self._delivered(consumer, uow.committed)

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


_MOVE_CURSOR = (  # built once: every delivery runs it
    t.consumer_cursors.update()
    .where(
        t.consumer_cursors.c.consumer == sa.bindparam("named"),
        t.consumer_cursors.c.position < sa.bindparam("below"),
    )
    .values(position=sa.bindparam("to"))
)
_ALL_CURSORS = sa.select(t.consumer_cursors.c.consumer, t.consumer_cursors.c.position)


def _set_cursor(conn: sa.Connection, consumer: str, position: int, claim_from: int | None = None) -> bool:
    """Move the cursor forward to `position`; with `claim_from`, only if no event from there on was taken."""
    below = position if claim_from is None else claim_from
    result = conn.execute(_MOVE_CURSOR, {"named": consumer, "below": below, "to": position})
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
