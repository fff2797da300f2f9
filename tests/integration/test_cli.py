"""The `crisislink` command line, run in-process on a fresh SQLite file per data directory.

The commands build their platform from the environment with real Argon2 parameters, as in production.
Seeding takes a few seconds, so one seeded directory is shared by the module and copied (with SQLite's
backup API) for every test that changes it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from typer.testing import CliRunner, Result

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from crisislink.app.bootstrap import bootstrap
from crisislink.app.seeding import DEMO_ACCOUNTS, ensure_local_node
from crisislink.app.settings import Settings
from crisislink.entrypoints.cli import common
from crisislink.entrypoints.cli.main import app
from crisislink.entrypoints.web.app import create_app

DB_FILE = "crisislink.db"
WIDE = 200


def invoke(data_dir: Path, *args: str, columns: int = WIDE) -> Result:
    """Run the CLI on `data_dir` with a terminal `columns` wide (Rich wraps and truncates to it)."""
    env: dict[str, str | None] = {
        "CRISISLINK_DATA_DIR": str(data_dir),
        "CRISISLINK_DATABASE_URL": None,
        "CRISISLINK_NODE": None,
        "CRISISLINK_NATS_URL": None,
        "COLUMNS": str(columns),
        "NO_COLOR": "1",
    }
    # Rich fixes a console's width at import if COLUMNS was set then; let this run's COLUMNS decide.
    fixed = [(console, console._width) for console in (common.console, common.err)]
    for console, _ in fixed:
        console._width = None
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        for console, width in fixed:
            console._width = width


def ok(result: Result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result.output


def url_of(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / DB_FILE}"


def table_rows(output: str) -> list[list[str]]:
    """The body rows of a Rich table, as lists of cell texts."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data directory after `crisislink seed`, and what the command printed."""
    data_dir = tmp_path_factory.mktemp("seeded")
    return data_dir, ok(invoke(data_dir, "seed"))


@pytest.fixture
def copy_of_seeded(seeded: tuple[Path, str], tmp_path: Path) -> Path:
    source = sqlite3.connect(seeded[0] / DB_FILE)
    target = sqlite3.connect(tmp_path / DB_FILE)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return tmp_path


def signs_in(data_dir: Path, username: str, password: str) -> list[str]:
    """Sign in through the web app on the same database; return the roles the session carries."""
    platform = bootstrap(Settings(database_url=url_of(data_dir)))
    ensure_local_node(platform)
    try:
        with TestClient(create_app(platform)) as client:
            response = client.post("/api/auth/login", json={"username": username, "password": password})
            assert response.status_code == 201, f"{username}: {response.text}"
            roles = response.json()["roles"]
            assert isinstance(roles, list)
            return roles
    finally:
        platform.stop()


def test_help_lists_the_command_groups(tmp_path: Path) -> None:
    output = ok(invoke(tmp_path, "--help"))

    for command in ("serve", "seed", "db", "user", "partner", "node", "contact", "audit", "events"):
        assert re.search(rf"^\W*{command}\b", output, re.MULTILINE), f"{command} missing from\n{output}"


def test_db_upgrade_then_check_pass_on_a_fresh_data_directory(tmp_path: Path) -> None:
    upgraded = ok(invoke(tmp_path, "db", "upgrade"))

    assert (tmp_path / DB_FILE).exists()
    revision = re.search(r"database at revision (\S+)", upgraded)
    assert revision is not None, upgraded
    assert ok(invoke(tmp_path, "db", "current")).strip() == revision.group(1)
    assert "schema matches the code" in ok(invoke(tmp_path, "db", "check"))
    assert "database at revision" in ok(invoke(tmp_path, "db", "upgrade"))  # idempotent


def test_db_check_fails_when_the_schema_drifted(tmp_path: Path) -> None:
    ok(invoke(tmp_path, "db", "upgrade"))
    engine = make_engine(url_of(tmp_path))
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE partners ADD COLUMN rogue VARCHAR(10)")
    engine.dispose()

    result = invoke(tmp_path, "db", "check")

    assert result.exit_code == 1
    assert "drift" in result.stderr
    assert "rogue" in result.stderr


@pytest.mark.parametrize(
    "command", [("user", "list"), ("partner", "list"), ("audit", "verify"), ("db", "check")]
)
def test_a_command_where_no_node_is_stops_and_says_where_it_looked(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = invoke(tmp_path / "elsewhere", *command)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: no crisislink database at ")
    assert str(tmp_path / "elsewhere" / DB_FILE) in result.stderr
    assert "crisislink seed" in result.stderr
    assert not (tmp_path / "elsewhere").exists()  # no empty database made on the way


def test_a_setting_the_node_cannot_use_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["db", "upgrade"],
        env={"CRISISLINK_DATA_DIR": str(tmp_path), "CRISISLINK_SESSION_HOURS": "twelve"},
    )

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: CRISISLINK_SESSION_HOURS='twelve' is not a whole number (default: 12)"
    ]
    assert not list(tmp_path.iterdir())  # nothing was set up


@pytest.mark.parametrize("command", [("audit", "verify"), ("db", "check")])
def test_checks_on_a_database_never_migrated_say_to_upgrade_it(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    sqlite3.connect(tmp_path / DB_FILE).close()  # an empty file: no tables at all

    result = invoke(tmp_path, *command)

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, no traceback
    assert "has no crisislink schema yet" in result.stderr
    assert "crisislink db upgrade" in result.stderr


def test_seed_loads_the_partner_directory_and_prints_demo_accounts_that_sign_in(
    seeded: tuple[Path, str],
) -> None:
    data_dir, output = seeded

    assert re.search(r"seeded \d{2} partner organisations", output)
    accounts = {row[0]: row for row in table_rows(output) if row and row[0] in {a[0] for a in DEMO_ACCOUNTS}}
    assert set(accounts) == {username for username, _, _ in DEMO_ACCOUNTS}
    engine = make_engine(url_of(data_dir))
    with engine.connect() as conn:
        partners = conn.execute(sa.select(sa.func.count()).select_from(t.partners)).scalar_one()
        hashes = conn.execute(sa.select(t.users.c.password_hash)).scalars().all()
    engine.dispose()
    assert partners >= 50
    for username, row in accounts.items():
        password = row[-1]
        assert len(password) >= 12
        assert all(password not in stored for stored in hashes)  # only Argon2id hashes are stored
        assert all(stored.startswith("$argon2id$") for stored in hashes)
        expected_roles = next(
            sorted(r.value for r in roles) for name, _, roles in DEMO_ACCOUNTS if name == username
        )
        assert signs_in(data_dir, username, password) == expected_roles


def test_seeding_again_changes_nothing_and_prints_no_new_passwords(copy_of_seeded: Path) -> None:
    engine = make_engine(url_of(copy_of_seeded))
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(t.audit_log)).scalar_one()

    output = ok(invoke(copy_of_seeded, "seed"))

    assert "Demo accounts exist already" in output
    assert "seeded" not in output
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.audit_log)).scalar_one() == before
    engine.dispose()


def test_partner_list_filters_by_country(seeded: tuple[Path, str]) -> None:
    output = ok(invoke(seeded[0], "partner", "list", "--country", "LU"))

    codes = {row[0] for row in table_rows(output)}
    assert codes == {"LU-HCPN", "LU-CGDIS"}
    assert "HCPN" in output
    assert "CGDIS" in output


def test_user_add_prints_a_generated_password_that_signs_in(copy_of_seeded: Path) -> None:
    output = ok(
        invoke(copy_of_seeded, "user", "add", "new.analyst", "--partner", "BE-NCCN", "--role", "analyst")
    )

    found = re.search(r"password \(shown once\): (\S+)", output)
    assert found is not None, output
    assert signs_in(copy_of_seeded, "new.analyst", found.group(1)) == ["analyst"]
    listed = {row[0]: row for row in table_rows(ok(invoke(copy_of_seeded, "user", "list")))}
    assert listed["new.analyst"][1:3] == ["BE-NCCN", "analyst"]


def test_a_change_made_on_the_command_line_names_its_author_in_the_audit_trail(copy_of_seeded: Path) -> None:
    ok(invoke(copy_of_seeded, "user", "add", "new.officer", "--partner", "BE-NCCN", "--role", "duty_officer"))

    engine = make_engine(url_of(copy_of_seeded))
    with engine.connect() as conn:
        entry = conn.execute(
            sa.select(t.audit_log)
            .where(t.audit_log.c.command == "AddUser")
            .order_by(t.audit_log.c.seq.desc())
        ).first()
    engine.dispose()
    assert entry is not None
    assert entry.actor_user_id is None  # the node itself acted: no signed-in person
    assert entry.details["origin"] == common.command_line_origin()
    assert entry.details["origin"].startswith("command line: ")
    assert entry.details["roles"] == '["duty_officer"]'  # JSON an auditor can read, not a Python repr
    assert entry.details["password"] == "(withheld)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--partner", "XX-NOWHERE", "--role", "analyst"),
            "no partner with code 'XX-NOWHERE'",
            id="partner",
        ),
        pytest.param(("--partner", "BE-NCCN", "--role", "emperor"), "unknown role", id="role"),
    ],
)
def test_user_add_with_an_unknown_partner_or_role_fails_with_one_clear_line(
    copy_of_seeded: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke(copy_of_seeded, "user", "add", "someone.new", *args)

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert "someone.new" not in ok(invoke(copy_of_seeded, "user", "list"))


def test_an_error_is_one_line_even_at_the_default_width_of_a_pipe(copy_of_seeded: Path) -> None:
    result = invoke(
        copy_of_seeded, "user", "add", "someone.new", "--partner", "BE-NCCN", "--role", "emperor", columns=80
    )

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_audit_verify_passes_on_an_intact_trail_and_names_the_altered_entry(copy_of_seeded: Path) -> None:
    intact = ok(invoke(copy_of_seeded, "audit", "verify"))
    checked = re.search(r"audit trail intact: (\d+) entries verified", intact)
    assert checked is not None, intact
    assert int(checked.group(1)) > 50

    engine = make_engine(url_of(copy_of_seeded))
    with engine.begin() as conn:
        conn.execute(t.audit_log.update().where(t.audit_log.c.seq == 17).values(command="NothingHappened"))
    engine.dispose()
    result = invoke(copy_of_seeded, "audit", "verify")

    assert result.exit_code == 2
    assert "entry 17" in result.stderr
    assert "altered" in result.stderr
    assert "16 entries before it are intact" in result.stderr


def test_audit_verify_notices_a_removed_entry(copy_of_seeded: Path) -> None:
    engine = make_engine(url_of(copy_of_seeded))
    with engine.begin() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq == 5))
    engine.dispose()

    result = invoke(copy_of_seeded, "audit", "verify")

    assert result.exit_code == 2
    assert "entry 5" in result.stderr


def test_node_and_contact_lists_show_the_seeded_network(seeded: tuple[Path, str]) -> None:
    nodes = {row[0]: row for row in table_rows(ok(invoke(seeded[0], "node", "list")))}
    assert nodes["be"][-1] == "yes"
    assert {"be", "nl", "lu"} <= set(nodes)

    contacts = table_rows(ok(invoke(seeded[0], "contact", "list", "--partner", "BE-NCCN")))
    assert contacts
    assert {row[0] for row in contacts} == {"BE-NCCN"}


def test_events_dead_letters_reports_none_on_a_healthy_node(seeded: tuple[Path, str]) -> None:
    assert "no dead letters" in ok(invoke(seeded[0], "events", "dead-letters"))


def test_an_administrator_adds_a_partner_and_its_point_of_contact(copy_of_seeded: Path) -> None:
    ok(
        invoke(
            copy_of_seeded,
            "partner",
            "add",
            "DE-THW-AACHEN",
            "--name",
            "THW Ortsverband Aachen",
            "--country",
            "DE",
            "--kind",
            "civil_protection",
            "--node",
            "be",
            "--language",
            "de",
            "--jurisdiction",
            "regions:DEA2",
            "--external",
        )
    )
    listed = ok(invoke(copy_of_seeded, "partner", "list", "--country", "DE"))
    assert "DE-THW-AACHEN" in listed
    assert "regions:DEA2" in listed
    added = ok(
        invoke(
            copy_of_seeded,
            "contact",
            "add",
            "--partner",
            "DE-THW-AACHEN",
            "--role",
            "duty_desk_24_7",
            "--name",
            "THW Aachen Bereitschaft",
            "--phone",
            "+49 0 000 0001",
            "--language",
            "de",
        )
    )
    contact_id = added.split()[3]
    assert "THW Aachen Bereitschaft" in ok(
        invoke(copy_of_seeded, "contact", "list", "--partner", "DE-THW-AACHEN")
    )
    ok(invoke(copy_of_seeded, "contact", "remove", contact_id, "--version", "1"))
    assert "THW Aachen" not in ok(invoke(copy_of_seeded, "contact", "list", "--partner", "DE-THW-AACHEN"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (
                "partner",
                "add",
                "X-1",
                "--name",
                "x",
                "--country",
                "DE",
                "--kind",
                "nope",
                "--node",
                "be",
                "--language",
                "de",
            ),
            "kind 'nope'",
        ),
        (
            (
                "partner",
                "add",
                "X-1",
                "--name",
                "x",
                "--country",
                "DE",
                "--kind",
                "government_body",
                "--node",
                "zz",
                "--language",
                "de",
            ),
            "no node with code 'zz'",
        ),
        (
            (
                "partner",
                "add",
                "X-1",
                "--name",
                "x",
                "--country",
                "DE",
                "--kind",
                "government_body",
                "--node",
                "be",
                "--language",
                "de",
                "--jurisdiction",
                "regions:NOPE",
            ),
            "regions:VR23",
        ),
        (("contact", "remove", "not-an-id", "--version", "1"), "not a point-of-contact id"),
    ],
)
def test_directory_changes_with_bad_input_fail_with_one_line(
    copy_of_seeded: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke(copy_of_seeded, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
