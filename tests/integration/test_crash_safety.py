"""Kill -9 between commit and delivery, and inside a handler: nothing committed is lost, nothing applied twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from tests.integration.crash_node import ledger

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = 12
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_ledger_left_over(db_url: str) -> None:
    engine = make_engine(db_url)
    ledger.drop(engine, checkfirst=True)
    engine.dispose()


def _run(url: str, mode: str, count: int = 0) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.run(
        [sys.executable, "-m", "tests.integration.crash_node", url, mode, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert process.returncode in {0, -signal.SIGKILL}, process.stderr.decode()[-2000:]
    return process.returncode


def _state(url: str) -> tuple[int, list[str], list[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        contacts = conn.execute(sa.select(sa.func.count()).select_from(t.contact_points)).scalar_one()
        created = [
            str(p["contact_point_id"])
            for p in conn.execute(
                sa.select(t.events.c.payload).where(
                    t.events.c.type == "crisislink.sharing.contact_point_created"
                )
            ).scalars()
        ]
        applied = list(conn.execute(sa.select(ledger.c.event_contact).order_by(ledger.c.id)).scalars())
    engine.dispose()
    return int(contacts), created, applied


def test_events_committed_before_a_kill_are_delivered_exactly_once_after_restart(db_url: str) -> None:
    assert _run(db_url, "commit-then-die", COMMANDS) == -signal.SIGKILL
    contacts, created, applied = _state(db_url)
    assert contacts == COMMANDS
    assert len(created) == COMMANDS
    assert applied == []
    assert _run(db_url, "recover") == 0
    _, _, applied = _state(db_url)
    assert sorted(applied) == sorted(created)


def test_a_kill_inside_a_handler_rolls_its_work_back_and_it_runs_again_once(db_url: str) -> None:
    assert _run(db_url, "commit-then-die", COMMANDS) == -signal.SIGKILL
    assert _run(db_url, "die-in-handler", 5) == -signal.SIGKILL
    _, created, applied = _state(db_url)
    # The fifth handler's write died with its transaction (and, delivered as one batch, its neighbours' too).
    assert created[4] not in applied
    assert applied == created[: len(applied)]
    assert _run(db_url, "recover") == 0
    _, _, applied = _state(db_url)
    assert sorted(applied) == sorted(created)
    assert len(set(applied)) == len(applied)
