"""Wakes live readers (SSE streams) when new events commit, across threads and into asyncio loops."""

from __future__ import annotations

import asyncio
import threading


class Notifier:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.latest = 0

    def notify(self, position: int) -> None:
        with self._lock:
            self.latest = max(self.latest, position)
            waiters = list(self._waiters)
        for loop, flag in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(flag.set)

    async def wait(self, seen: int, timeout: float) -> bool:
        """Wait until something newer than `seen` commits in this process, or until `timeout`."""
        flag = asyncio.Event()
        entry = (asyncio.get_running_loop(), flag)
        with self._lock:
            # Register before looking, so a commit in between is not missed.
            self._waiters.add(entry)
            newer = self.latest > seen
        if newer:
            with self._lock:
                self._waiters.discard(entry)
            return True
        try:
            await asyncio.wait_for(flag.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(entry)
