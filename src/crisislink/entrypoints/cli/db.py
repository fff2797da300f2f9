"""crisislink db: schema migrations."""

from __future__ import annotations

import typer

from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine
from crisislink.entrypoints.cli.common import console, err, require_schema, settings, upgrade_database

app = typer.Typer(help="Database schema: upgrade, show the revision, check for drift.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (safe to run repeatedly)."""
    current = settings(create=True)
    upgrade_database(current)
    console.print(f"database at revision [bold]{migrate.current(make_engine(current.database_url))}[/]")


@app.command("current")
def current() -> None:
    """Show the database's migration revision."""
    console.print(migrate.current(make_engine(settings().database_url)) or "(empty database)")


@app.command("check")
def check() -> None:
    """Fail if the database schema differs from what the code expects."""
    current = settings()
    require_schema(current)
    differences = migrate.drift(make_engine(current.database_url))
    if differences:
        for difference in differences:
            err.print(f"drift: {difference}")
        raise typer.Exit(1)
    console.print("schema matches the code")
