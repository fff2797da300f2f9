"""Engines with the durability settings we promise: nothing acknowledged is lost."""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from crisislink.adapters.db.functions import SQLITE_FOLD, sqlite_fold

WRITE_WAIT_SECONDS = 30
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # FULL: a commit survives power loss, not only a process crash. See docs/adr/0003.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


def json_text(value: object) -> str:
    """JSON columns are written by msgspec: several times `json`'s speed, and a bulk ingest writes one per row."""
    return msgspec.json.encode(value).decode()


def json_value(text: str | bytes) -> Any:
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)  # a value written by `json` before: NaN and Infinity are not JSON


_JSON = {"json_serializer": json_text, "json_deserializer": json_value}


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    return sa.create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, **_JSON)


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    engine = sa.create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **_JSON
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that writers can BEGIN IMMEDIATE (SQLAlchemy recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
        dbapi_connection.create_function(SQLITE_FOLD, 1, sqlite_fold, deterministic=True)

    _install_write_gate(engine)
    return engine


def _install_write_gate(engine: Engine) -> None:
    """Writers of this process queue on a lock before SQLite's own write lock.

    SQLite's busy handler polls with growing sleeps, adding tens of milliseconds to a write that waits
    for another. The gate is taken at BEGIN IMMEDIATE and held by the pooled connection until it goes
    back to the pool (after the COMMIT itself has run), or is invalidated or closed: a connection that
    is dropped or broken cannot keep it.
    """
    gate = threading.Lock()
    key = "holds_write_gate"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE" and not connection.info.get(key):
            if not gate.acquire(timeout=WRITE_WAIT_SECONDS):
                raise sa.exc.TimeoutError(
                    f"no write slot within {WRITE_WAIT_SECONDS} s; the node is overloaded"
                )
            connection.info[key] = True
        _begin(connection, mode)

    def _release(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        if record is not None and record.info.pop(key, False):
            gate.release()

    for name in ("checkin", "invalidate", "soft_invalidate", "close"):
        event.listen(engine, name, _release)


def _begin(connection: sa.Connection, mode: str) -> None:
    # Straight to the driver: every transaction, reads included, begins here, and SQLAlchemy's statement
    # machinery costs more than SQLite's BEGIN. Its errors are wrapped as SQLAlchemy's would be, so that
    # callers that back off on a busy database still recognise them.
    statement = f"BEGIN {mode}"
    try:
        connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.OperationalError as error:
        raise sa.exc.OperationalError(statement, None, error) from error


def writer(engine: Engine) -> Engine:
    """The same pool, with write transactions that take the lock at BEGIN on SQLite."""
    if not is_sqlite(engine) or engine.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        return engine  # already a writer: a new options engine per unit of work costs ~0.1 ms
    return engine.execution_options(sqlite_begin="IMMEDIATE")
