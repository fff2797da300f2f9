"""Has the database changed since I last looked? A cheap probe for read caches.

On SQLite, `PRAGMA data_version` on a dedicated connection changes whenever any other connection, in
this process or another, commits: a few microseconds, no table read. Other databases return None
(no probe; callers then do not cache).
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy.engine import Engine


class SqliteChangeProbe:
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def version(self) -> int:
        with self._lock:
            row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def change_probe(engine: Engine) -> SqliteChangeProbe | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return SqliteChangeProbe(database)
