"""What every CLI command shares: settings, the platform, friendly errors."""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console

from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine
from crisislink.app.bootstrap import Platform, bootstrap
from crisislink.app.env_values import ConfigurationError
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.kernel.errors import CrisislinkError

console = Console()
# soft_wrap: an error stays one line in logs and pipes, whatever the console width.
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def settings(*, create: bool = False) -> Settings:
    """This node's settings. Only the commands that set a node up (`serve`, `seed`, `db upgrade`) create
    its SQLite database: any other command, run in the wrong directory, would otherwise work on a new,
    empty one and report the node's partners and users missing."""
    try:
        found = Settings.from_env()
    except ConfigurationError as error:
        fail(str(error))
    path = found.sqlite_path()
    if path is not None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            fail(
                f"no crisislink database at {path.resolve()}. Run this where the node runs, point "
                "CRISISLINK_DATA_DIR (or CRISISLINK_DATABASE_URL) at its database, or set a node up "
                "here with 'crisislink seed'"
            )
    return found


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def require_schema(current: Settings) -> None:
    """Stop with what to do when the database was never migrated (a command would die on a missing table)."""
    engine = make_engine(current.database_url)
    try:
        if migrate.current(engine) is None:
            fail(
                f"the database {migrate.location(engine)} has no crisislink schema yet: "
                "run 'crisislink db upgrade' (or 'crisislink seed')"
            )
    finally:
        engine.dispose()


def upgrade_database(current: Settings) -> None:
    engine = make_engine(current.database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


@contextmanager
def platform(*, create: bool = False, **overrides: Any) -> Iterator[Platform]:
    """The node, migrated, for one command; `overrides` go to bootstrap (e.g. a watching sender)."""
    current = settings(create=create)
    upgrade_database(current)
    built = bootstrap(current, **overrides)
    built.bus.origin = command_line_origin()
    try:
        ensure_local_node(built)
        yield built
    finally:
        built.stop()


def command_line_origin() -> str:
    """Who runs this command, for the audit trail: the node's CLI acts as the node, not as a signed-in user."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):  # no login name and no password-database entry (some containers)
        account = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"command line: {account}@{socket.gethostname()}"


def run(action: Callable[[], T]) -> T:
    """Turn expected errors into one clear line and exit code 1 (no traceback for users)."""
    try:
        return action()
    except CrisislinkError as error:
        err.print(f"[bold red]error:[/] {error.message}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
