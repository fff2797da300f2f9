"""crisislink audit: verify the hash-chained audit trail."""

from __future__ import annotations

import typer

from crisislink.adapters.db.engine import make_engine
from crisislink.adapters.db.queries.audit import verify_chain
from crisislink.entrypoints.cli.common import console, err, require_schema, settings

app = typer.Typer(help="The append-only, hash-chained audit trail.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Recompute the chain; name the first entry that was altered, removed or reordered."""
    current = settings()
    require_schema(current)
    result = verify_chain(make_engine(current.database_url))
    if result.ok:
        console.print(f"[green]audit trail intact[/]: {result.checked} entries verified")
        return
    err.print(
        f"[bold red]audit trail broken[/] at entry {result.first_bad_seq}: {result.reason} "
        f"({result.checked} entries before it are intact)"
    )
    raise typer.Exit(2)
