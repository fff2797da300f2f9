"""crisislink node add / partner add / contact add|remove: changing the directory from the command line."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, TypeVar

import typer

from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind
from crisislink.entrypoints.cli.common import console, platform, run
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM

E = TypeVar("E", bound=enum.Enum)


def _choice(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(f"{what} {value!r} is not one of: {allowed}") from None


def _partner_id(node: Platform, code: str) -> uuid.UUID:
    for partner in directory.list_partners(node.engine):
        if partner.code == code.upper():
            return partner.id
    raise NotFound(f"no partner with code {code!r}; see 'crisislink partner list'")


def _node_id(node: Platform, code: str) -> uuid.UUID:
    for found in directory.list_nodes(node.engine):
        if found.code == code.lower():
            return found.id
    raise NotFound(f"no node with code {code!r}; see 'crisislink node list'")


def _jurisdiction(reference: str | None) -> Area | None:
    if not reference:
        return None
    layer, _, code = reference.partition(":")
    try:
        boundary = ReferenceData().get(layer, code)
    except KeyError as error:
        raise InvalidInput(f"{error.args[0]}; use LAYER:CODE, e.g. regions:VR23 or countries:LU") from None
    return Area(geometry=boundary.geometry, ref=reference)


def add_node(
    code: str,
    name: Annotated[str, typer.Option(help="Display name")],
    country: Annotated[str, typer.Option(help="Two-letter country code")],
    base_url: Annotated[str | None, typer.Option(help="Where the node is reached")] = None,
) -> None:
    """Register another node of the network."""

    def action() -> None:
        with platform() as node:
            node.bus.handle(
                sc.RegisterNode(actor=SYSTEM, code=code, name=name, country=country, base_url=base_url)
            )
        console.print(f"node [bold]{code}[/] registered")

    run(action)


def add_partner(
    code: str,
    name: Annotated[str, typer.Option(help="Official name")],
    country: Annotated[str, typer.Option(help="Two-letter country code")],
    kind: Annotated[str, typer.Option(help=", ".join(k.value for k in PartnerKind))],
    node: Annotated[str, typer.Option("--node", help="Code of the node that hosts it")],
    language: Annotated[list[str], typer.Option(help="Working language (repeatable)")],
    jurisdiction: Annotated[
        str | None, typer.Option(help="Shipped boundary, LAYER:CODE (e.g. regions:VR23)")
    ] = None,
    external: Annotated[bool, typer.Option(help="A partner outside the Benelux network")] = False,
) -> None:
    """Register a partner organisation."""

    def action() -> None:
        with platform() as built:
            built.bus.handle(
                sc.RegisterPartner(
                    actor=SYSTEM,
                    code=code,
                    name=name,
                    country=country,
                    kind=_choice(PartnerKind, kind, "kind"),
                    home_node_id=_node_id(built, node),
                    languages=tuple(language),
                    external=external,
                    jurisdiction=_jurisdiction(jurisdiction),
                )
            )
        console.print(f"partner [bold]{code.upper()}[/] registered")

    run(action)


def add_contact(
    partner: Annotated[str, typer.Option(help="Partner code")],
    role: Annotated[str, typer.Option(help=", ".join(r.value for r in ContactRole))],
    name: Annotated[str, typer.Option(help="e.g. 'NCCN permanence (24/7)'")],
    phone: Annotated[list[str] | None, typer.Option(help="Phone number (repeatable)")] = None,
    email: Annotated[list[str] | None, typer.Option(help="E-mail address (repeatable)")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Language spoken (repeatable)")] = None,
    marking: Annotated[str, typer.Option(help="TLP: CLEAR, GREEN, AMBER, AMBER+STRICT, RED")] = "GREEN",
) -> None:
    """Add a point of contact, staffed round the clock (change hours through the API or console)."""

    def action() -> None:
        channels = [Channel(ChannelKind.PHONE, value) for value in phone or []]
        channels += [Channel(ChannelKind.EMAIL, value) for value in email or []]
        with platform() as node:
            contact_id = node.bus.handle(
                sc.CreateContactPoint(
                    actor=SYSTEM,
                    partner_id=_partner_id(node, partner),
                    role=_choice(ContactRole, role, "role"),
                    name=name,
                    channels=tuple(channels),
                    languages=tuple(language or ["en"]),
                    hours=StaffedHours(always=True),
                    marking=_choice(Tlp, marking, "marking"),
                )
            )
        console.print(f"point of contact {contact_id} added")

    run(action)


def remove_contact(
    contact_id: str, version: Annotated[int, typer.Option(help="The version you saw")]
) -> None:
    """Remove a point of contact."""

    def action() -> None:
        try:
            identifier = uuid.UUID(contact_id)
        except ValueError:
            raise InvalidInput(f"{contact_id!r} is not a point-of-contact id") from None
        with platform() as node:
            node.bus.handle(
                sc.RemoveContactPoint(actor=SYSTEM, contact_point_id=identifier, expected_version=version)
            )
        console.print(f"point of contact {contact_id} removed")

    run(action)
