"""Test support for public warnings: the Geul and Meuse flood warning of July 2021, driven through the bus.

Drafted by the Dutch safety region's information officer (nl.info), approved by nl.info for NL and by
be.info for BE, issued; `publish` then runs the publication consumer, which signs and stores the CAP the
public pages and feeds serve.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings.codes import Category, Certainty, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.values import WarningText
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from tests.support import World

GEUL_MEUSE_GEOMETRY = {
    "type": "Polygon",
    "coordinates": [[[5.64, 50.69], [5.90, 50.69], [5.90, 50.89], [5.64, 50.89], [5.64, 50.69]]],
}
GEUL_MEUSE = Area(GEUL_MEUSE_GEOMETRY)
TEXTS = (
    ("nl", WarningText("Hoogwater Geul en Maas", "De Geul treedt buiten haar oevers.", "Ga naar boven.")),
    ("fr", WarningText("Crue de la Meuse", "La Meuse déborde à Visé.", "Montez à l'étage.")),
    ("de", WarningText("Hochwasser an der Maas", "Die Maas tritt über die Ufer.", "Gehen Sie nach oben.")),
    ("en", WarningText("Flooding of the Geul and Meuse", "The rivers overflow.", "Move to higher ground.")),
)


def draft(world: World, username: str = "nl.info", **changes: Any) -> uuid.UUID:
    platform = world.platform
    now = platform.clock.now()
    area = changes.pop("area", GEUL_MEUSE)
    fields: dict[str, Any] = {
        "hazard": "flood.river",
        "category": Category.MET,
        "awareness_type": 12,
        "severity": Severity.SEVERE,
        "urgency": Urgency.IMMEDIATE,
        "certainty": Certainty.LIKELY,
        "onset": now + timedelta(hours=1),
        "expires": now + timedelta(hours=24),
        "area_description": "Valleys of the Geul and the Meuse",
        "texts": TEXTS,
        "response_types": (ResponseType.EVACUATE,),
        "status": Status.ACTUAL,
        "marking": Tlp.AMBER,
    }
    command = c.DraftWarning(
        actor=world.actor(username),
        area=area,
        targeting=platform.targeting.for_warning(area)[1],
        **(fields | changes),
    )
    warning_id: uuid.UUID = platform.bus.handle(command)
    return warning_id


def approve(world: World, warning_id: uuid.UUID, revision: int = 1) -> None:
    bus = world.platform.bus
    for user, country in (("nl.info", "NL"), ("be.info", "BE")):
        bus.handle(
            c.ApproveWarning(
                actor=world.actor(user), warning_id=warning_id, country=country, revision=revision
            )
        )


def approved(world: World, **changes: Any) -> uuid.UUID:
    warning_id = draft(world, **changes)
    world.platform.bus.handle(c.SubmitForApproval(actor=world.actor("nl.info"), warning_id=warning_id))
    approve(world, warning_id)
    return warning_id


def issued(world: World, **changes: Any) -> uuid.UUID:
    """Drafted, approved, issued and published (signed CAP stored)."""
    warning_id = approved(world, **changes)
    world.platform.bus.handle(c.IssueWarning(actor=world.actor("nl.info"), warning_id=warning_id))
    publish(world)
    return warning_id


def publish(world: World) -> None:
    """What the background thread does: hand the events to the publication consumer."""
    world.platform.dispatcher.drain()


def cancel(world: World, warning_id: uuid.UUID, reason: str = "water receding") -> None:
    world.platform.bus.handle(
        c.CancelWarning(actor=world.actor("nl.info"), warning_id=warning_id, reason=reason)
    )
    publish(world)
