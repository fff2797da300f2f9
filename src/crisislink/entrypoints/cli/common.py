"""What every CLI command shares: settings, the platform, friendly errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console

from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine
from crisislink.app.bootstrap import Platform, bootstrap
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.kernel.errors import CrisislinkError

console = Console()
# soft_wrap: an error stays one line in logs and pipes, whatever the console width.
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def settings() -> Settings:
    found = Settings.from_env()
    path = found.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return found


def upgrade_database(current: Settings) -> None:
    engine = make_engine(current.database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


@contextmanager
def platform() -> Iterator[Platform]:
    current = settings()
    upgrade_database(current)
    built = bootstrap(current)
    try:
        ensure_local_node(built)
        yield built
    finally:
        built.stop()


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
