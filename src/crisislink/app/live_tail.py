"""One reader of the event log for all live-feed subscribers of this process (ADR 0011).

Each new event is read from the database once, with its label and the current label of the record it lives
inside (its incident or dataset). Every subscriber then takes its share of the recent events from memory,
through `policy.may_see`: the same grant table that `access.visible_to` compiles to SQL, held equal to it
by the property tests. A subscriber that has fallen behind the recent window reads through the SQL path.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import events as event_log
from crisislink.adapters.db.queries import live_tail as log
from crisislink.adapters.db.queries.live_tail import LabelledEvent
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.markings import Label

READ_LIMIT = 5_000
# A lagging context label (an access granted or ended, an incident re-marked) is re-read at least this often.
CONTEXT_LABELS_MAX_AGE_S = 1.0
# A forced refresh (a reader's keep-alive, for events committed by another process) at most this often.
FORCED_REFRESH_MIN_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Window:
    """The recent events, complete for every position after `floor` up to `loaded`."""

    events: tuple[LabelledEvent, ...] = ()
    floor: int = -1  # -1: nothing read yet
    loaded: int = -1
    contexts: Mapping[uuid.UUID, Label] = field(default_factory=dict)
    contexts_read_at: float = float("-inf")

    def covers(self, position: int) -> bool:
        return self.floor >= 0 and self.floor <= position

    def after(self, viewer: Viewer, position: int, limit: int) -> tuple[list[LabelledEvent], int]:
        """What the viewer may see after `position` (at most `limit`), and how far that answer reaches."""
        start = bisect.bisect_right(self.events, position, key=lambda e: e.position)
        found: list[LabelledEvent] = []
        for event in self.events[start:]:
            if self._visible(viewer, event):
                found.append(event)
                if len(found) == limit:
                    return found, event.position
        return found, max(self.loaded, position)

    def _visible(self, viewer: Viewer, event: LabelledEvent) -> bool:
        if not may_see(viewer, event.label):
            return False
        if event.context_id is None:
            return True
        context = self.contexts.get(event.context_id)
        return context is not None and may_see(viewer, context)


class LiveTail:
    def __init__(
        self, engine: Engine, capacity: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._capacity = capacity
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_forced = float("-inf")
        self.window = Window()  # replaced whole, never changed in place: readers need no lock
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def is_current(self, latest: int) -> bool:
        """True if nothing committed in this process (up to `latest`) is missing, and the labels are fresh."""
        window = self.window
        fresh = self._monotonic() - window.contexts_read_at < CONTEXT_LABELS_MAX_AGE_S
        return window.floor >= 0 and window.loaded >= latest and fresh

    async def catch_up(self, latest: int, *, force: bool = False) -> None:
        """`refresh` for the streams of an event loop: the first one woken reads, in a worker thread; the
        others wait for it on the loop, and find the work done (a thread each would cost more than the read).
        """
        if not force and self.is_current(latest):
            return
        lock = self._loop_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            if force or not self.is_current(latest):
                await asyncio.to_thread(self.refresh, latest, force=force)

    def refresh(self, latest: int, *, force: bool = False) -> None:
        """Read what was committed since the last read (blocking: call it from a worker thread).

        Readers woken together queue on the lock; all but the first find the work done.
        """
        with self._lock:
            now = self._monotonic()
            if force and now - self._last_forced >= FORCED_REFRESH_MIN_INTERVAL_S:
                self._last_forced = now
            elif self.is_current(latest):
                return
            self.window = self._next_window(self.window, now)

    def _next_window(self, window: Window, now: float) -> Window:
        if window.floor < 0:
            start = event_log.head_position(self._engine)
            window = Window(floor=start, loaded=start)
        read = log.read_after(self._engine, window.loaded, READ_LIMIT)
        events = window.events + tuple(read.events)
        floor = window.floor
        if len(events) > self._capacity:
            dropped = len(events) - self._capacity
            floor = events[dropped - 1].position
            events = events[dropped:]
        contexts = log.context_labels(
            self._engine, {e.context_id for e in events if e.context_id is not None}
        )
        return Window(events, floor, read.scanned, contexts, now)
