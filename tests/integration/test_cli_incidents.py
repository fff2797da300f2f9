"""`crisislink incidents …` run in-process on a seeded SQLite data directory, as an operator would.

One directory is seeded and replayed for the module (seeding hashes passwords with real Argon2); a test
that must start from a directory without the replay copies the seeded one with SQLite's backup API.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from tests.integration.test_cli import DB_FILE, invoke, ok, table_rows, url_of

SCENARIO = "floods-2021"
KEYS = ("liege", "south-limburg", "luxembourg")
WIDE_ENOUGH = 400  # no title wraps onto a second line of the table
UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def copy(source_dir: Path, target_dir: Path) -> Path:
    source = sqlite3.connect(source_dir / DB_FILE)
    target = sqlite3.connect(target_dir / DB_FILE)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return target_dir


def row_count(data_dir: Path, table: sa.Table) -> int:
    engine = make_engine(url_of(data_dir))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("seeded")
    ok(invoke(data_dir, "seed"))
    return data_dir


@pytest.fixture(scope="module")
def replayed(seeded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A seeded directory after `incidents replay floods-2021`, and what the replay printed."""
    data_dir = copy(seeded_dir, tmp_path_factory.mktemp("replayed"))
    return data_dir, ok(invoke(data_dir, "incidents", "replay", SCENARIO))


def replayed_ids(output: str) -> dict[str, uuid.UUID]:
    found = dict(re.findall(rf"^\s*([a-z-]+): ({UUID_TEXT})\s*$", output, re.MULTILINE))
    return {key: uuid.UUID(value) for key, value in found.items()}


def test_the_incidents_group_is_listed_in_the_help(tmp_path: Path) -> None:
    output = ok(invoke(tmp_path, "incidents", "--help"))
    for command in ("list", "show", "tick", "replay"):
        assert re.search(rf"^\W*{command}\b", output, re.MULTILINE), f"{command} missing from\n{output}"


def test_a_replay_loads_three_incidents_and_names_each(replayed: tuple[Path, str]) -> None:
    data_dir, output = replayed

    summary = re.search(
        r"replayed floods-2021: (\d+) incidents, (\d+) level changes, (\d+) log entries", output
    )
    assert summary is not None, output
    assert int(summary.group(1)) == 3
    assert "mode REPLAY" in output
    ids = replayed_ids(output)
    assert set(ids) == set(KEYS)
    assert row_count(data_dir, t.incidents) == 3
    assert row_count(data_dir, t.incident_levels) == int(summary.group(2))
    assert row_count(data_dir, t.incident_log) == int(summary.group(3))
    assert row_count(data_dir, t.neighbour_notifications) == 0  # a replay rings no duty desk


def test_the_list_shows_the_replayed_incidents_as_replay(replayed: tuple[Path, str]) -> None:
    data_dir, output = replayed

    rows = table_rows(ok(invoke(data_dir, "incidents", "list", columns=WIDE_ENOUGH)))

    by_id = {row[-1]: row for row in rows}
    assert set(by_id) == {str(i) for i in replayed_ids(output).values()}
    for row in rows:
        title, hazard, mode, _levels, _lead, status, marking, _id = row
        assert title.startswith("[REPLAY]")
        assert mode == "replay"
        assert hazard.startswith("flood.")
        assert (status, marking) == ("active", "GREEN")
    leads = {row[4] for row in rows}
    assert leads == {"BE-PROV-LIEGE", "NL-VR24", "LU-HCPN"}


def test_show_prints_the_incident_with_its_levels_and_timeline(replayed: tuple[Path, str]) -> None:
    data_dir, output = replayed
    liege = replayed_ids(output)["liege"]

    shown = ok(invoke(data_dir, "incidents", "show", str(liege), "--limit", "5"))

    first_line = shown.splitlines()[0]
    assert first_line.startswith("[REPLAY] July 2021 floods: Vesdre, Ourthe and Meuse")
    assert "TLP:GREEN" in first_line
    assert "REPLAY — not live data" in shown
    assert re.search(r"^\s+BE: [A-Z_]+ since 2021-07-1\d", shown, re.MULTILINE), shown
    timeline = table_rows(shown)
    assert 1 <= len(timeline) <= 5
    assert all(row[0].startswith("2021-07-") for row in timeline)  # historical times, not today's
    assert {row[1] for row in timeline} <= {"level", "log", "task", "sitrep", "notification"}


def test_show_of_an_unknown_incident_fails_with_one_clear_line(replayed: tuple[Path, str]) -> None:
    result = invoke(replayed[0], "incidents", "show", str(uuid.uuid4()))

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: no incident with id")


def test_show_of_a_malformed_id_fails_with_one_clear_line(replayed: tuple[Path, str]) -> None:
    result = invoke(replayed[0], "incidents", "show", "not-an-id")

    assert result.exit_code in {1, 2}
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "not-an-id" in result.stderr


def test_a_second_replay_is_refused_and_adds_nothing(replayed: tuple[Path, str], tmp_path: Path) -> None:
    data_dir = copy(replayed[0], tmp_path)
    before = {table.name: row_count(data_dir, table) for table in (t.incidents, t.incident_log, t.events)}

    result = invoke(data_dir, "incidents", "replay", SCENARIO)

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "already loaded" in lines[0]
    assert "nothing was added" in lines[0]
    assert "Traceback" not in result.output
    assert {
        table.name: row_count(data_dir, table) for table in (t.incidents, t.incident_log, t.events)
    } == before


def test_an_unknown_scenario_is_refused(seeded_dir: Path) -> None:
    result = invoke(seeded_dir, "incidents", "replay", "floods-1953")

    assert result.exit_code == 2
    assert "unknown scenario 'floods-1953'" in result.output
    assert SCENARIO in result.output


def test_a_replay_without_the_partner_directory_says_what_is_missing(tmp_path: Path) -> None:
    ok(invoke(tmp_path, "db", "upgrade"))  # a node whose directory was never seeded
    result = invoke(tmp_path, "incidents", "replay", SCENARIO)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: scenario 'floods-2021' cannot be replayed; nothing was written")
    assert "unknown partner code 'BE-PROV-LIEGE'" in result.stderr
    assert "Traceback" not in result.output
    assert row_count(tmp_path, t.incidents) == 0


def test_tick_does_the_due_work_and_exits_zero(replayed: tuple[Path, str], tmp_path: Path) -> None:
    data_dir = copy(replayed[0], tmp_path)

    output = ok(invoke(data_dir, "incidents", "tick"))

    found = re.search(r"^(\d+) item\(s\) escalated, published or reminded$", output.strip(), re.MULTILINE)
    assert found is not None, output
    # A replay leaves nothing due (no notification, no report); what the first tick does is flag the seeded
    # SYNTHETIC gauges of July 2021 as stale, each once.
    assert int(found.group(1)) == row_count(data_dir, t.datasets)
    assert ok(invoke(data_dir, "incidents", "tick")).strip() == "0 item(s) escalated, published or reminded"


def test_the_list_is_empty_but_fine_before_any_incident(seeded_dir: Path, tmp_path: Path) -> None:
    data_dir = copy(seeded_dir, tmp_path)

    output = ok(invoke(data_dir, "incidents", "list"))

    assert table_rows(output) == []
    assert "title" in output
