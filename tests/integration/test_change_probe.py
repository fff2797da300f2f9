"""The read cache's change probe on SQLite: this process's commits at once, other processes' within a bound."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from crisislink.adapters.db.changes import SqliteChangeProbe, change_probe
from crisislink.adapters.db.engine import make_engine, writer
from crisislink.app.read_cache import ReadCache


class FrozenClock:
    """Time stands still unless a test moves it: the probe's look at other processes happens on cue."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with writer(engine).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def probe(engine: sa.Engine, tmp_path: Path, clock: FrozenClock) -> Iterator[SqliteChangeProbe]:
    probe = SqliteChangeProbe(engine, str(tmp_path / "x.db"), others_every=0.5, clock=clock)
    yield probe
    probe.close()


def _insert(engine: sa.Engine, n: int) -> None:
    with writer(engine).begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (?)", (n,))


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one())


def test_a_commit_in_this_process_moves_the_version_at_once(
    engine: sa.Engine, probe: SqliteChangeProbe
) -> None:
    before = probe.version()
    _insert(engine, 1)  # the clock stands still: no look at PRAGMA data_version can explain the move
    assert probe.version() != before


def test_reads_and_rolled_back_writes_leave_the_version_alone(
    engine: sa.Engine, probe: SqliteChangeProbe
) -> None:
    before = probe.version()
    assert _count(engine) == 0
    with writer(engine).connect() as conn:
        conn.begin()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
    assert probe.version() == before


def test_another_process_commit_is_seen_at_the_next_look_not_before(
    engine: sa.Engine, probe: SqliteChangeProbe, clock: FrozenClock, tmp_path: Path
) -> None:
    before = probe.version()
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("INSERT INTO t VALUES (1)")
    other.close()
    clock.now += 0.4
    assert probe.version() == before  # within the bound a cached read may still be served
    clock.now += 0.1
    assert probe.version() != before


def test_a_read_cached_while_a_commit_runs_is_not_served_after_it(
    engine: sa.Engine, probe: SqliteChangeProbe
) -> None:
    cache = ReadCache(probe)
    seen_during_commit: list[int] = []

    def another_thread_reads(_connection: sa.Connection) -> None:  # the moment before the COMMIT itself
        seen_during_commit.append(cache.get("count", lambda: _count(engine)))

    sa.event.listen(engine, "commit", another_thread_reads)
    _insert(engine, 1)
    sa.event.remove(engine, "commit", another_thread_reads)
    assert seen_during_commit == [0]  # cached while the row was not yet committed
    assert cache.get("count", lambda: _count(engine)) == 1


def test_closing_the_probe_stops_listening_to_the_engine(engine: sa.Engine, tmp_path: Path) -> None:
    probe = change_probe(engine)
    assert probe is not None
    probe.close()
    assert not sa.event.contains(engine, "checkin", probe._returned)
    _insert(engine, 1)  # a commit after close touches nothing the closed probe owned


def test_no_probe_for_an_in_memory_database() -> None:
    assert change_probe(make_engine("sqlite://")) is None
