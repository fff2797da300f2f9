"""crisislink events: the event log, dead letters and redelivery."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table

from crisislink.adapters.bus.dispatcher import dead_letters, requeue
from crisislink.entrypoints.cli.common import console, platform, run

app = typer.Typer(help="Event delivery: failed handlers (dead letters) and redelivery.", no_args_is_help=True)


@app.command("dead-letters")
def show_dead_letters(
    retrying: Annotated[bool, typer.Option(help="Show deliveries still being retried instead")] = False,
) -> None:
    """List events a consumer failed to handle."""
    with platform() as node:
        rows = dead_letters(node.engine, "retry" if retrying else "dead")
    table = Table("consumer", "event", "type", "attempts", "last error", "since")
    for row in rows:
        table.add_row(
            row.consumer,
            str(row.event_id),
            row.event_type,
            str(row.attempts),
            row.last_error or "",
            row.updated_at.isoformat(),
        )
    console.print(table if rows else "no dead letters")


@app.command("retry")
def retry(
    event_id: Annotated[str | None, typer.Argument(help="Only this event (default: all)")] = None,
) -> None:
    """Give dead letters another round of attempts, then deliver what is due."""

    def action() -> None:
        with platform() as node:
            count = requeue(node.engine, node.clock.now(), uuid.UUID(event_id) if event_id else None)
            delivered = node.dispatcher.drain()
        console.print(f"requeued {count}; {delivered} deliveries ran")

    run(action)


@app.command("deliver")
def deliver() -> None:
    """Deliver every pending event now (the server does this continuously)."""
    with platform() as node:
        console.print(f"{node.dispatcher.drain()} deliveries ran")
