"""Wiring of the hospital register: its handlers, its map layer, its seed, and the import of HAVE reports.

The register is kept by the national crisis centre of the node's country (NCCN on `be`, NCC on `nl`, HCPN
on `lu`): the body that runs the node and answers for its reference data. Failing that, the first
partner hosted on the node (by code). The shipped register (`app/seed/hospitals.json.gz`, built by
scripts/build_hospitals.py) is loaded on first start; later starts add only sites it does not hold yet.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import hospitals as q
from crisislink.adapters.geo.countries import CountryLocator
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bus import CommandHandler
from crisislink.app.hospital_have import import_command, read_message
from crisislink.app.layers import N_, Feature, MapLayer
from crisislink.domains.assistance import hospital_commands as c
from crisislink.domains.assistance import hospital_handlers as h
from crisislink.domains.assistance.hospital_handlers import ImportResult
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.model import PartnerKind
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import SYSTEM, Actor, Command

if TYPE_CHECKING:  # app/assistance.py wires these handlers into bootstrap: no import back at run time
    from crisislink.app.bootstrap import Platform

SEED_FILE = "hospitals.json.gz"


def hospital_handlers(now: Callable[[], datetime]) -> dict[type[Command], CommandHandler]:
    return {
        c.RegisterHospitals: partial(h.register_hospitals, now=now),
        c.ImportHospitalStatus: partial(h.import_hospital_status, now=now),
    }


def _hospital_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:  # noqa: ARG001
    return q.hospital_features(engine, viewer)


def hospital_layer() -> MapLayer:
    return MapLayer(
        id="hospitals",
        title=N_("Hospitals"),
        geometry="point",
        features=_hospital_features,
        order=45,  # after the units (40)
        visible=False,  # 3,258 sites: shown on demand, not on every wall screen at start
        style={"color": "#b00020", "symbol": "hospital"},
    )


def register_owner(platform: Platform) -> uuid.UUID:
    """The partner that keeps this node's hospital register (see the module's docstring)."""
    node = next((n for n in directory.list_nodes(platform.engine) if n.id == platform.node_id), None)
    hosted = [p for p in directory.list_partners(platform.engine) if p.home_node_id == platform.node_id]
    centres = [
        p
        for p in hosted
        if p.kind == PartnerKind.NATIONAL_CRISIS_CENTRE.value
        and node is not None
        and p.country == node.country
    ]
    chosen = (centres or sorted(hosted, key=lambda p: p.code))[:1]
    if not chosen:
        raise InvalidInput(
            "no partner is hosted on this node to keep the hospital register; seed the partners"
        )
    return chosen[0].id


@lru_cache(maxsize=4)
def country_locator(reference: ReferenceData) -> CountryLocator:
    """One locator per reference data set, kept for the process: its index takes a moment to build."""
    return CountryLocator(reference)


# ---------------------------------------------------------------------------------------------------------
# The shipped register.


def shipped_register() -> list[dict[str, Any]]:
    raw = resources.files("crisislink.app.seed").joinpath(SEED_FILE).read_bytes()
    hospitals = json.loads(gzip.decompress(raw))["hospitals"]
    assert isinstance(hospitals, list)
    return hospitals


def registered_hospital(row: dict[str, Any]) -> c.RegisteredHospital:
    return c.RegisteredHospital(
        code=row["code"],
        name=row["name"],
        site=row["site"],
        location=Point(lon=row["lon"], lat=row["lat"]),
        country=row["country"],
        city=row["city"],
        postcode=row["postcode"],
        beds=row["beds"],
        emergency=row["emergency"],
        kind=row["kind"],
    )


def seed_hospitals(platform: Platform) -> int:
    """Load the shipped sites this node does not hold yet (one command, one transaction); idempotent."""
    known = q.hospital_codes(platform.engine)
    missing = tuple(registered_hospital(row) for row in shipped_register() if row["code"] not in known)
    if not missing:
        return 0
    added: int = platform.bus.handle(
        c.RegisterHospitals(actor=SYSTEM, owner_partner_id=register_owner(platform), hospitals=missing)
    )
    return added


# ---------------------------------------------------------------------------------------------------------
# Status reports.


@dataclass(frozen=True)
class HaveImport:
    message_id: str
    distribution: str | None  # the envelope's distributionStatus; None for a bare report
    hospital_ids: list[uuid.UUID]  # in the message's order
    created: list[uuid.UUID]  # hospitals the register did not know
    recorded: int  # reports stored
    current: int  # of which became a hospital's current status (real, and newer)
    duplicates: int  # reports of this message already stored (delivered twice)


def import_have(platform: Platform, actor: Actor, data: bytes) -> HaveImport:
    """Import an EDXL-HAVE message (bare or enveloped): every hospital of it recorded, or none."""
    message = read_message(data, country_locator(platform.reference).country)
    result: ImportResult = platform.bus.handle(import_command(actor, message, register_owner(platform)))
    return HaveImport(
        message.message_id,
        message.distribution,
        result.hospital_ids,
        result.created,
        result.recorded,
        result.current,
        result.duplicates,
    )
