"""crisislink: run a node and administer it."""

from __future__ import annotations

import typer

from crisislink.entrypoints.cli import admin, audit, cap, db, events, hospitals, incidents, routing, serve
from crisislink.entrypoints.cli import datasets as datasets_cli
from crisislink.entrypoints.cli import readiness as readiness_cli

app = typer.Typer(
    name="crisislink",
    help="Cross-border crisis coordination node: run it, administer it, check its audit trail.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("seed")(serve.seed)
app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.add_typer(events.app, name="events")
app.add_typer(admin.users, name="user")
app.add_typer(admin.partners, name="partner")
app.add_typer(admin.nodes, name="node")
app.add_typer(admin.contacts, name="contact")
app.add_typer(incidents.app, name="incidents")
app.add_typer(cap.app, name="cap")
app.add_typer(routing.app, name="routing")
app.add_typer(readiness_cli.app, name="readiness")  # rotas and communication tests (line 4)
app.add_typer(hospitals.app, name="hospitals")  # EDXL-HAVE import (line 2)
app.add_typer(datasets_cli.app, name="datasets")  # NATS permissions of partner subjects (line 4)


def main() -> None:
    app()
