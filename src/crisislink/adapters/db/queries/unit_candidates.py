"""The units a "nearest unit" search may propose: available, of one type, and visible to the viewer.

The sharing policy is in the SQL, as on every read path: a unit the viewer may not see is never a
candidate, so it can never appear in an answer, not even as a distance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.domains.assistance.model import Point, UnitStatus
from crisislink.domains.sharing.policy import Viewer

MAX_CANDIDATES = 10_000


@dataclass(frozen=True)
class UnitCandidate:
    id: uuid.UUID
    name: str
    call_sign: str | None
    capability: str
    owner_partner_id: uuid.UUID
    partner_code: str
    country: str  # the owner partner's: where the unit is at home
    start: Point  # where it would leave from: its position if it has one, else its home base
    at_home_base: bool
    arrangements: tuple[str, ...]
    marking: str


def available_units(engine: Engine, viewer: Viewer, capability: str) -> list[UnitCandidate]:
    u, p = t.assistance_units, t.partners
    query = (
        sa.select(
            u.c.id,
            u.c.name,
            u.c.call_sign,
            u.c.capability,
            u.c.owner_partner_id,
            u.c.home_base,
            u.c.position,
            u.c.arrangements,
            u.c.marking,
            p.c.code,
            p.c.country,
        )
        .select_from(u.join(p, p.c.id == u.c.owner_partner_id))
        .where(
            u.c.capability == capability,
            u.c.status == UnitStatus.AVAILABLE.value,
            visible_to(viewer, u),
        )
        .order_by(u.c.name, u.c.id)
        .limit(MAX_CANDIDATES)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        UnitCandidate(
            id=row.id,
            name=row.name,
            call_sign=row.call_sign,
            capability=row.capability,
            owner_partner_id=row.owner_partner_id,
            partner_code=row.code,
            country=row.country,
            start=Point(*(row.position or row.home_base)),
            at_home_base=row.position is None,
            arrangements=tuple(row.arrangements),
            marking=row.marking,
        )
        for row in rows
    ]
