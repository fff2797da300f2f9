"""crisislink user / partner / node / contact: administration from the command line."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.table import Table

from crisislink.adapters.db.queries import directory
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer
from crisislink.entrypoints.cli import directory_admin
from crisislink.entrypoints.cli.common import console, platform, run
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.messages import SYSTEM

users = typer.Typer(help="People and their roles.", no_args_is_help=True)
partners = typer.Typer(help="Partner organisations.", no_args_is_help=True)
nodes = typer.Typer(help="Nodes (deployments) of the network.", no_args_is_help=True)
contacts = typer.Typer(help="Points of contact.", no_args_is_help=True)
ROLE_NAMES = ", ".join(role.value for role in Role)


def _roles(values: list[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(value) for value in values)
    except ValueError:
        raise InvalidInput(f"unknown role in {values}; use: {ROLE_NAMES}") from None


@users.command("add")
def add_user(
    username: str,
    partner: Annotated[str, typer.Option(help="Partner code, e.g. BE-NCCN")],
    role: Annotated[list[str], typer.Option(help=f"Role (repeatable): {ROLE_NAMES}")],
    display_name: Annotated[str | None, typer.Option(help="Full name")] = None,
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a user; a strong password is generated and printed once."""

    def action() -> None:
        password = secrets.token_urlsafe(15)
        with platform() as node:
            found = [p for p in directory.list_partners(node.engine) if p.code == partner.upper()]
            if not found:
                raise NotFound(f"no partner with code {partner!r}; see 'crisislink partner list'")
            node.bus.handle(
                sc.AddUser(
                    actor=SYSTEM,
                    username=username,
                    display_name=display_name or username,
                    partner_id=found[0].id,
                    roles=_roles(role),
                    password=password,
                    email=email,
                )
            )
        console.print(f"user [bold]{username}[/] added; password (shown once): [bold]{password}[/]")

    run(action)


@users.command("passwd")
def reset_password(username: str) -> None:
    """Set a new generated password for a user and print it once."""

    def action() -> None:
        password = secrets.token_urlsafe(15)
        with platform() as node:
            match = [
                u
                for u in directory.list_users(node.engine, PUBLIC, is_node_admin=True)
                if u.username == username
            ]
            if not match:
                raise NotFound(f"no user {username!r}; see 'crisislink user list'")
            node.bus.handle(sc.SetPassword(actor=SYSTEM, user_id=match[0].id, password=password))
        console.print(f"new password for [bold]{username}[/] (shown once): [bold]{password}[/]")

    run(action)


@users.command("list")
def list_users() -> None:
    """List every user of this node."""
    with platform() as node:
        rows = directory.list_users(node.engine, PUBLIC, is_node_admin=True)
        codes = {p.id: p.code for p in directory.list_partners(node.engine)}
    table = Table("user name", "partner", "roles", "active")
    for user in rows:
        table.add_row(
            user.username,
            codes.get(user.partner_id, "?"),
            ", ".join(user.roles),
            "yes" if user.active else "no",
        )
    console.print(table)


def viewer_named(node: Platform, username: str | None) -> Viewer:
    """The user named by `--as`, or (none named) any member of the network."""
    if username is None:
        return ANY_MEMBER
    for user in directory.list_users(node.engine, PUBLIC, is_node_admin=True):
        if user.username == username:
            return Viewer(user_id=user.id, partner_id=user.partner_id)
    raise typer.BadParameter(f"no user {username!r}")


@partners.command("list")
def list_partners(
    country: Annotated[str | None, typer.Option(help="Two-letter country code")] = None,
) -> None:
    """List partner organisations."""
    with platform() as node:
        rows = directory.list_partners(node.engine, country=country)
        node_codes = {n.id: n.code for n in directory.list_nodes(node.engine)}
    table = Table("code", "name", "country", "kind", "node", "jurisdiction")
    for partner in rows:
        table.add_row(
            partner.code,
            partner.name,
            partner.country,
            partner.kind,
            node_codes.get(partner.home_node_id, "?"),
            partner.jurisdiction_ref or "",
        )
    console.print(table)


@nodes.command("list")
def list_nodes() -> None:
    """List the nodes of the network."""
    with platform() as node:
        rows = directory.list_nodes(node.engine)
        local = node.node_id
    table = Table("code", "name", "country", "this node")
    for row in rows:
        table.add_row(row.code, row.name, row.country, "yes" if row.id == local else "")
    console.print(table)


@contacts.command("list")
def list_contacts(
    partner: Annotated[str | None, typer.Option(help="Partner code")] = None,
    role: Annotated[str | None, typer.Option(help="e.g. duty_desk_24_7")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="See what this user may see")] = None,
) -> None:
    """List points of contact, filtered by the sharing policy (default: what the whole network may see)."""
    with platform() as node:
        viewer = viewer_named(node, as_user)
        partner_rows = directory.list_partners(node.engine)
        codes = {p.id: p.code for p in partner_rows}
        wanted = next((p.id for p in partner_rows if partner and p.code == partner.upper()), None)
        flt = directory.ContactFilter(partner_id=wanted, role=role, limit=directory.MAX_PAGE)
        rows = directory.list_contact_points(node.engine, viewer, flt, node.clock.now())
    table = Table("partner", "role", "name", "reach", "staffed now", "TLP")
    for contact in rows:
        reach = "; ".join(f"{c.kind}: {c.value}" for c in contact.channels[:2])
        table.add_row(
            codes.get(contact.owner_partner_id, "?"),
            contact.role,
            contact.name,
            reach,
            "yes" if contact.staffed_now else "no",
            contact.marking,
        )
    console.print(table)


nodes.command("add")(directory_admin.add_node)
partners.command("add")(directory_admin.add_partner)
contacts.command("add")(directory_admin.add_contact)
contacts.command("remove")(directory_admin.remove_contact)
