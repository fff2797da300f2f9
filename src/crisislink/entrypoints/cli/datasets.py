"""crisislink datasets …: what an operator sets up outside the node for partners' live data (line 4)."""

from __future__ import annotations

from typing import Annotated

import typer

from crisislink.adapters.db.queries import directory
from crisislink.app.dataset_subjects import nats_permissions
from crisislink.entrypoints.cli.common import platform, run, settings
from crisislink.kernel.errors import InvalidInput

app = typer.Typer(help="Partners' datasets and live feeds: delivery set-up.", no_args_is_help=True)


@app.command("nats-permissions")
def print_nats_permissions(
    partner: Annotated[str, typer.Argument(help="The partner's code, e.g. NL-VR23")],
    user: Annotated[str | None, typer.Option(help="NATS user name (default: partner-<code>)")] = None,
) -> None:
    """Print the nats-server user entry that keeps a partner's machine consumers on its own subjects."""

    def action() -> str:
        with platform() as node:
            found = {p.code: p for p in directory.list_partners(node.engine)}
        chosen = found.get(partner.upper())
        if chosen is None:
            raise InvalidInput(f"no partner with code {partner}; 'crisislink partner list' shows them")
        return nats_permissions(settings(), chosen.id, chosen.code, user)

    typer.echo(run(action), nl=False)  # exactly as nats-server reads it: no markup, no wrapping
