"""The border rule over the directory: which partners an incident's area touches, and whom to call there.

The spatial work is `adapters.geo.proximity`; this module feeds it the partners' jurisdictions (rebuilt
when the directory changes) and turns touched jurisdictions into escalation chains of contact points.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.geo.proximity import Jurisdiction, ProximityIndex
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.domains.incidents.ports import Neighbour, NeighbourCheck
from crisislink.kernel.geo import Area

# Whom to try first at a partner: its 24/7 desk, then whoever leads operations, then the liaison.
ROLE_ORDER = (
    "duty_desk_24_7",
    "operational_lead",
    "liaison_officer",
    "information_manager",
    "emergency_planning",
    "spokesperson",
)
NATIONAL_CENTRE = "national_crisis_centre"
COUNTRY_WIDE = "countries:"


@dataclass(frozen=True)
class _Directory:
    index: ProximityIndex
    country_wide: frozenset[str]  # partners whose jurisdiction is a whole country


class SqlBorderRule:
    def __init__(self, engine: Engine, reference: ReferenceData, distance_km: float) -> None:
        self._engine = engine
        self._reference = reference
        self.distance_km = distance_km
        self._lock = threading.Lock()
        self._cached: tuple[object, _Directory] | None = None

    def check(self, area: Area) -> NeighbourCheck:
        with self._engine.connect() as connection:
            directory = self._directory(connection)
            result = directory.index.evaluate(area.geometry, self.distance_km)
            if not result.triggered:
                return NeighbourCheck(triggered=False, explanation=result.explain(), neighbours=())
            touched = _most_specific(result.touched, directory.country_wide)
            neighbours = [_neighbour(connection, j) for j in touched]
        reachable = tuple(n for n in neighbours if n.chain)
        unreachable = [n.name for n in neighbours if not n.chain]
        explanation = replace(result, touched=tuple(touched)).explain()
        if unreachable:
            explanation += f"; no point of contact on record for {', '.join(unreachable)}"
        return NeighbourCheck(triggered=True, explanation=explanation, neighbours=reachable)

    def _directory(self, connection: sa.Connection) -> _Directory:
        stamp = connection.execute(
            sa.select(sa.func.count(), sa.func.sum(t.partners.c.version)).where(
                t.partners.c.jurisdiction.is_not(None)
            )
        ).one()
        with self._lock:
            if self._cached is None or self._cached[0] != tuple(stamp):
                self._cached = (tuple(stamp), self._build(connection))
            return self._cached[1]

    def _build(self, connection: sa.Connection) -> _Directory:
        rows = connection.execute(
            sa.select(
                t.partners.c.id,
                t.partners.c.name,
                t.partners.c.country,
                t.partners.c.jurisdiction,
                t.partners.c.jurisdiction_ref,
            ).where(t.partners.c.jurisdiction.is_not(None))
        ).all()
        jurisdictions = [
            Jurisdiction(key=str(r.id), name=r.name, country=r.country, geometry=r.jurisdiction["geometry"])
            for r in rows
        ]
        countries = {b.code: b.geometry for b in self._reference.layer("countries")}
        country_wide = frozenset(
            str(r.id) for r in rows if (r.jurisdiction_ref or "").startswith(COUNTRY_WIDE)
        )
        return _Directory(ProximityIndex(countries, jurisdictions), country_wide)


def _most_specific(touched: Sequence[Jurisdiction], country_wide: frozenset[str]) -> list[Jurisdiction]:
    """The regional partners of each touched country; its national ones only where it has none touched.

    A national centre is where escalation ends, not where the first call goes.
    """
    regional_countries = {j.country for j in touched if j.key not in country_wide}
    return [j for j in touched if j.key not in country_wide or j.country not in regional_countries]


def _neighbour(connection: sa.Connection, jurisdiction: Jurisdiction) -> Neighbour:
    partner_id = uuid.UUID(jurisdiction.key)
    chain = [*_contacts_of(connection, partner_id), *_national_desks(connection, jurisdiction.country)]
    return Neighbour(partner_id=partner_id, name=jurisdiction.name, chain=tuple(dict.fromkeys(chain)))


def _contacts_of(connection: sa.Connection, partner_id: uuid.UUID) -> list[uuid.UUID]:
    cp = t.contact_points
    rows = connection.execute(
        sa.select(cp.c.id, cp.c.role).where(cp.c.owner_partner_id == partner_id).order_by(cp.c.name)
    ).all()
    ranked = sorted((r for r in rows if r.role in ROLE_ORDER), key=lambda r: ROLE_ORDER.index(r.role))
    return [r.id for r in ranked]


def _national_desks(connection: sa.Connection, country: str) -> list[uuid.UUID]:
    cp, p = t.contact_points, t.partners
    return list(
        connection.execute(
            sa.select(cp.c.id)
            .join(p, p.c.id == cp.c.owner_partner_id)
            .where(p.c.country == country, p.c.kind == NATIONAL_CENTRE, cp.c.role == "duty_desk_24_7")
            .order_by(p.c.code)
        ).scalars()
    )
