"""crisislink readiness …: start a communication test now, see who is on duty, play the demo history."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table

from crisislink.adapters.db.queries import comm_tests, directory
from crisislink.adapters.db.queries import rota as rota_queries
from crisislink.adapters.messaging.text import ack_link
from crisislink.app.bootstrap import Platform
from crisislink.app.readiness import comm_test_sender
from crisislink.app.readiness_seed import seed_demo_readiness
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.ports import DeliveryReport, OutgoingMessage, Sender
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.cli.common import console, platform, run, settings
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import SYSTEM

app = typer.Typer(help="Readiness: on-duty rotas and communication tests.", no_args_is_help=True)


class Watching:
    """Passes messages to the node's senders and keeps them, so the command can print their links."""

    def __init__(self, inner: Sender) -> None:
        self.inner = inner
        self.seen: list[tuple[OutgoingMessage, DeliveryReport]] = []

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        report = self.inner.send(message)
        self.seen.append((message, report))
        return report


def _partner_ids(node: Platform, codes: list[str]) -> frozenset[uuid.UUID]:
    known = {p.code: p.id for p in directory.list_partners(node.engine)}
    unknown = [code for code in codes if code.upper() not in known]
    if unknown:
        raise InvalidInput(f"no partner with code {', '.join(unknown)}; 'crisislink partner list' shows them")
    return frozenset(known[code.upper()] for code in codes)


def _organiser(node: Platform, code: str | None) -> uuid.UUID:
    if code:
        return next(iter(_partner_ids(node, [code])))
    country = node.settings.node_code[:2].upper()
    for partner in directory.list_partners(node.engine, country=country, kind="national_crisis_centre"):
        return partner.id
    raise InvalidInput("name the organising partner with --organiser CODE")


@app.command("comm-test")
def comm_test(
    every: Annotated[bool, typer.Option("--all", help="Test every point of contact of the network")] = False,
    partner: Annotated[
        list[str] | None, typer.Option("--partner", help="Test this partner (repeatable)")
    ] = None,
    organiser: Annotated[
        str | None, typer.Option(help="The organising partner (default: the national centre)")
    ] = None,
    name: Annotated[str, typer.Option(help="The name of the test")] = "Communication test",
    message: Annotated[
        str, typer.Option(help="The message sent")
    ] = "Communication test: please acknowledge.",
    answer_within: Annotated[int, typer.Option(help="Minutes to answer before the test closes")] = 60,
) -> None:
    """Start a communication test now and print each message with its acknowledgement link."""
    if every == bool(partner):
        raise typer.BadParameter("give --all, or one or more --partner CODE")
    watching = Watching(comm_test_sender(settings()))

    def action() -> None:
        with platform(comm_sender=watching) as node:
            run_id = node.bus.handle(
                c.StartCommTest(
                    actor=SYSTEM,
                    organiser_id=_organiser(node, organiser),
                    name=name,
                    message=message,
                    partners=frozenset() if every else _partner_ids(node, partner or []),
                    answer_minutes=answer_within,
                )
            )
            base = node.settings.public_url
        table = Table(
            "to", "channel", "address", "sent", "acknowledge at", title=f"Communication test {run_id}"
        )
        for sent, report in watching.seen:
            mark = "yes" if report.sent else f"no: {report.detail}"
            table.add_row(
                sent.recipient.name,
                sent.recipient.channel,
                sent.recipient.address,
                mark,
                ack_link(base, sent.code),
            )
        table.columns[-1].no_wrap = True  # a link cut in two is no link
        console.print(table)
        console.print(
            f"{len(watching.seen)} messages; results: /readiness/runs/{run_id} and /api/comm-tests/runs/{run_id}"
        )

    run(action)


@app.command("on-duty")
def on_duty(
    as_partner: Annotated[str, typer.Option("--as", help="See as this partner's staff")] = "BE-NCCN",
) -> None:
    """Who holds each 24/7 desk now."""

    def action() -> None:
        with platform() as node:
            viewer = Viewer(user_id=uuid.UUID(int=0), partner_id=next(iter(_partner_ids(node, [as_partner]))))
            board = rota_queries.duty_board(node.engine, viewer, node.clock.now())
        table = Table("partner", "desk", "now")
        for partner in board:
            for desk in partner.desks:
                now = (
                    desk.holder.person_name if desk.holder else ("UNSTAFFED" if desk.has_rota else "no rota")
                )
                table.add_row(
                    partner.partner_code, desk.contact_name, now + (" (deputy acting)" if desk.acting else "")
                )
        console.print(table)

    run(action)


@app.command("demo")
def demo() -> None:
    """Play four quarterly demo tests and give a few desks a rota (only on a node without tests)."""

    def action() -> None:
        with platform() as node:
            runs, desks = seed_demo_readiness(node)
            results = comm_tests.runs(
                node.engine, Viewer(user_id=uuid.UUID(int=0), partner_id=uuid.UUID(int=0))
            )
        if runs or desks:
            console.print(f"played {runs} demo communication tests; {desks} desks got a demo rota")
        else:
            console.print(
                f"nothing done: this node has communication tests already ({len(results)} you may see)"
            )

    run(action)
