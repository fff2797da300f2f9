"""Has the database changed since I last looked? A cheap probe for read caches.

On SQLite, two signals make the version:

- a commit through this process's engine moves it when its connection goes back to the pool, after the
  COMMIT and before the caller can answer anyone, so a client always reads what it wrote, with no
  system call on the read path (SQLAlchemy's `commit` event fires before the COMMIT: a read between
  the two could cache what is about to change);
- a commit by any other process (a CLI command, a second worker) is seen through `PRAGMA data_version`
  on a dedicated connection, looked at most every `others_every` seconds. That look takes SQLite's
  file locks, and the GIL hand-offs around it cost a sixth of a cached read's throughput when made on
  every read (bench/api_read.py).

Other databases return None (no probe; callers then do not cache).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_COMMITTED = "committed_since_checkout"
# How stale a cached read may be after another process commits. Far below what a person notices, and
# well below the identity cache's bound for the same kind of change (app/auth.py, CACHE_SECONDS).
OTHERS_EVERY_SECONDS = 0.01


class SqliteChangeProbe:
    def __init__(
        self,
        engine: Engine,
        path: str,
        *,
        others_every: float = OTHERS_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._engine = engine
        self._others_every = others_every
        self._clock = clock
        self._lock = threading.Lock()
        self._changes = 0  # moves on every change either signal reports
        self._data_version: int | None = None
        self._next_look = 0.0
        event.listen(engine, "commit", self._committing)
        event.listen(engine, "checkin", self._returned)

    @staticmethod
    def _committing(connection: Any) -> None:
        connection.info[_COMMITTED] = True

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            with self._lock:  # `+=` from two threads at once could lose one of the moves
                self._changes += 1

    def version(self) -> int:
        now = self._clock()
        if now >= self._next_look:
            self._look_at_other_processes(now)
        return self._changes

    def _look_at_other_processes(self, now: float) -> None:
        with self._lock:
            data_version = int(self._connection.execute("PRAGMA data_version").fetchone()[0])
            if data_version != self._data_version:
                self._data_version = data_version
                self._changes += 1
            self._next_look = now + self._others_every

    def close(self) -> None:
        for name, listener in (("commit", self._committing), ("checkin", self._returned)):
            if event.contains(self._engine, name, listener):
                event.remove(self._engine, name, listener)
        with self._lock:
            self._connection.close()


def change_probe(engine: Engine) -> SqliteChangeProbe | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return SqliteChangeProbe(engine, database)
