"""The SQLite engine's transactions: writers BEGIN IMMEDIATE behind one gate, readers BEGIN DEFERRED."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from crisislink.adapters.db.engine import make_engine, writer
from tests.support import make_platform


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with writer(engine).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    return engine


def test_a_writer_holds_the_write_lock_from_begin_and_a_reader_sees_a_snapshot(
    engine: sa.Engine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "x.db", timeout=0, isolation_level=None)
    with writer(engine).begin() as conn:
        conn.exec_driver_sql("SELECT 1")  # nothing written yet, but the lock is taken at BEGIN
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    with engine.connect() as reader:
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        other.execute("INSERT INTO t VALUES (1)")  # committed by another connection meanwhile
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0  # same transaction
    with engine.connect() as reader:
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    other.close()


def test_a_busy_database_at_begin_is_sqlalchemys_operational_error_and_frees_the_gate(
    engine: sa.Engine, tmp_path: Path
) -> None:
    # Loops that back off on a busy database (the NATS link) recognise SQLAlchemy's error, not the driver's.
    holder = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    conn = writer(engine).connect()
    conn.connection.driver_connection.execute("PRAGMA busy_timeout = 20")  # type: ignore[union-attr]
    with pytest.raises(sa.exc.OperationalError, match="locked"):
        conn.begin()
    conn.close()
    holder.rollback()
    holder.close()
    with writer(engine).begin() as again:  # the in-process gate was given back with the connection
        again.exec_driver_sql("INSERT INTO t VALUES (2)")
    with engine.connect() as reader:
        assert reader.exec_driver_sql("SELECT n FROM t").scalars().all() == [2]


def test_a_unit_of_work_that_cannot_begin_gives_the_write_gate_back(sqlite_url: str, tmp_path: Path) -> None:
    platform = make_platform(sqlite_url)
    try:
        with platform.engine.connect() as pooled:  # the pool's one connection gives up on a lock quickly
            pooled.connection.driver_connection.execute("PRAGMA busy_timeout = 20")  # type: ignore[union-attr]
        holder = sqlite3.connect(tmp_path / "crisislink.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sa.exc.OperationalError, match="locked") as failed, platform.uow():
            pass
        holder.rollback()
        holder.close()
        started = time.monotonic()
        with platform.uow() as uow:  # `failed` still holds the first attempt's traceback
            uow.commit()
        assert time.monotonic() - started < 5, "the next writer waited for the gate of the failed one"
        assert failed.value is not None
    finally:
        platform.stop()
