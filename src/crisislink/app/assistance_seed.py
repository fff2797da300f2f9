"""Demo units for `crisislink serve`: teams of a few real partners, enough to replay July 2021.

The organisations are real; every unit, name and call sign is fictional (each name ends in "(demo)", each
call sign starts with DEMO-). Seeding is idempotent: a unit its owner already has (by name) is left alone.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from crisislink.adapters.db.queries import assistance as queries
from crisislink.adapters.db.queries import directory
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance.commands import RegisterUnit
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM


def _specs() -> list[dict[str, Any]]:
    data = json.loads(
        resources.files("crisislink.app.seed").joinpath("units.json").read_text(encoding="utf-8")
    )
    assert isinstance(data, list)
    return data


def _owned_names(platform: Platform, partner_id: uuid.UUID) -> set[str]:
    # The owner's own view of its units (a member of that partner sees all of them, whatever the marking).
    owner = Viewer(user_id=uuid.UUID(int=0), partner_id=partner_id)
    flt = queries.UnitFilter(partner_id=partner_id, limit=queries.MAX_PAGE)
    return {unit.name for unit in queries.list_units(platform.engine, owner, flt)}


def _command(spec: dict[str, Any], partners: dict[str, uuid.UUID]) -> RegisterUnit:
    lon, lat = spec["home_base"]
    return RegisterUnit(
        actor=SYSTEM,
        partner_id=partners[spec["partner"]],
        capability=spec["capability"],
        name=spec["name"],
        call_sign=spec["call_sign"],
        home_base=Point(lon=lon, lat=lat),
        crew_languages=tuple(spec["crew_languages"]),
        radio=tuple(spec["radio"]),
        arrangements=tuple(spec["arrangements"]),
        marking=Tlp(spec["marking"]),
        audience=frozenset(
            Principal.partner(partners[code]) for code in spec["audience"] if code in partners
        ),
    )


def seed_demo_units(platform: Platform) -> int:
    partners = {p.code: p.id for p in directory.list_partners(platform.engine)}
    created = 0
    for spec in _specs():
        owner = partners.get(spec["partner"])
        if owner is None or spec["name"] in _owned_names(platform, owner):
            continue
        platform.bus.handle(_command(spec, partners))
        created += 1
    return created
