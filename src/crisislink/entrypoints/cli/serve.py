"""crisislink serve / seed: run a node on its embedded default, ready to use on first start."""

from __future__ import annotations

from typing import Annotated

import typer
from granian.constants import Interfaces
from granian.server import Server
from rich.progress import Progress
from rich.table import Table

from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.assistance_seed import seed_demo_units
from crisislink.app.bootstrap import Platform
from crisislink.app.datasets_seed import seed_demo_datasets
from crisislink.app.hospitals import seed_hospitals
from crisislink.app.readiness_seed import seed_demo_readiness
from crisislink.app.seeding import DemoAccount, create_demo_accounts, seed_partners
from crisislink.entrypoints.cli.common import console, platform

ASGI_FACTORY = "crisislink.entrypoints.web.asgi:app_factory"


def _seed_with_progress(node: Platform) -> int:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding the Benelux partner directory", total=None)
        return seed_partners(node, ReferenceData(), progress=lambda _code: progress.advance(task))


def _print_accounts(accounts: list[DemoAccount]) -> None:
    table = Table("user name", "partner", "roles", "password (shown once)", title="Demo accounts")
    for account in accounts:
        table.add_row(
            account.username, account.partner_code, ", ".join(sorted(account.roles)), account.password
        )
    console.print(table)
    console.print(
        "Passwords are stored only as Argon2id hashes. Lost one? [bold]crisislink user passwd NAME[/]"
    )


def prepare(*, seed_demo: bool) -> None:
    with platform(create=True) as node:
        if not directory.list_partners(node.engine):
            count = _seed_with_progress(node)
            console.print(f"seeded {count} partner organisations")
        accounts = create_demo_accounts(node) if seed_demo else []
        units = seed_demo_units(node) if seed_demo else 0  # fictional teams of real partners (line 2)
        readiness = seed_demo_readiness(node) if seed_demo else (0, 0)  # tests played, rotas (line 4)
        if seed_demo:
            seed_demo_datasets(node)  # SYNTHETIC gauges of 13-17 July 2021 (line 4)
        seed_hospitals(node)  # the shipped hospital register; later starts add only missing sites (line 2)
    if readiness[0]:
        console.print(f"played {readiness[0]} demo communication tests; {readiness[1]} desks got a rota")
    if units:
        console.print(f"registered {units} demo units for mutual assistance")
    if accounts:
        _print_accounts(accounts)
    elif seed_demo:
        console.print("Demo accounts exist already (their passwords were printed on first start).")


DEMO_HELP = (
    "Also create demo accounts (with a node administrator, 'admin') and demo data: units, rotas, "
    "communication tests and SYNTHETIC datasets. Turn it off (--no-demo-accounts) on a real node"
)


def seed(
    demo_accounts: Annotated[bool, typer.Option(help=DEMO_HELP)] = True,
) -> None:
    """Migrate the database and load the partner directory (idempotent)."""
    prepare(seed_demo=demo_accounts)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="HTTP worker processes (keep 1 on SQLite)")] = 1,
    demo_accounts: Annotated[bool, typer.Option(help=DEMO_HELP)] = True,
) -> None:
    """Run this node: migrate, seed on first start, then serve the API and the live feed."""
    prepare(seed_demo=demo_accounts)
    console.print(f"\ncrisislink is up at [bold]http://{host}:{port}[/]  (API reference: /api/docs)")
    if demo_accounts:
        console.print(
            "Sign in with a demo account above (console or POST /api/auth/login). Stop with Ctrl+C.\n"
        )
    else:
        console.print(
            "No demo accounts: add people with [bold]crisislink user add NAME --partner CODE --role ROLE[/] "
            "(a node administrator first: --role node_admin). Stop with Ctrl+C.\n"
        )
    Server(
        ASGI_FACTORY, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=True
    ).serve()
