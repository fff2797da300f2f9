"""Wakes live readers (SSE streams) when new events commit, across threads and into asyncio loops.

All the readers of one event loop wait on one future: a commit wakes them with one call into that loop
(one write to its self-pipe), not one per reader.
"""

from __future__ import annotations

import asyncio
import threading


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Notifier:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[asyncio.AbstractEventLoop, asyncio.Future[None]] = {}
        self.latest = 0

    def notify(self, position: int) -> None:
        with self._lock:
            self.latest = max(self.latest, position)
            waiting, self._waiting = self._waiting, {}
        for loop, future in waiting.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, future)

    async def wait(self, seen: int, timeout: float) -> bool:
        """Wait until something newer than `seen` commits in this process, or until `timeout`."""
        loop = asyncio.get_running_loop()
        with self._lock:
            # Look and register under one lock, so a commit in between is not missed.
            if self.latest > seen:
                return True
            future = self._waiting.get(loop)
            if future is None:
                future = self._waiting[loop] = loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                # Shielded: a reader that gives up (time-out, disconnect) must not cancel the others' wait.
                await asyncio.shield(future)
        except TimeoutError:
            return False
        return True
