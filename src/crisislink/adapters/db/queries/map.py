"""Map features, straight from SQL with the sharing policy applied: what a viewer may not see never leaves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.domains.sharing.contacts import StaffedHours
from crisislink.domains.sharing.policy import Viewer

Feature = dict[str, Any]


def jurisdiction_features(engine: Engine, viewer: Viewer) -> Iterator[Feature]:
    """Partner jurisdictions. The directory is for the network: signed-in members only."""
    if not viewer.signed_in:
        return
    p = t.partners.c
    query = sa.select(p.id, p.code, p.name, p.country, p.kind, p.jurisdiction_ref, p.jurisdiction).where(
        p.jurisdiction.is_not(None)
    )
    with engine.connect() as conn:
        for row in conn.execute(query.order_by(p.code)):
            if not row.jurisdiction:
                continue
            yield {
                "type": "Feature",
                "id": f"partner:{row.id}",
                "geometry": row.jurisdiction["geometry"],
                "properties": {
                    "kind": "jurisdiction",
                    "partner_id": str(row.id),
                    "code": row.code,
                    "name": row.name,
                    "country": row.country,
                    "partner_kind": row.kind,
                    "ref": row.jurisdiction_ref,
                },
            }


def _partner_points(conn: sa.Connection) -> dict[uuid.UUID, tuple[str, str, dict[str, Any]]]:
    p = t.partners.c
    rows = conn.execute(
        sa.select(p.id, p.code, p.name, p.jurisdiction_anchor).where(p.jurisdiction_anchor.is_not(None))
    )
    return {row.id: (row.code, row.name, row.jurisdiction_anchor) for row in rows if row.jurisdiction_anchor}


def contact_point_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterator[Feature]:
    """Points of contact, placed at their partner's jurisdiction (a desk has no coordinates of its own)."""
    c = t.contact_points.c
    query = (
        sa.select(c.id, c.owner_partner_id, c.marking, c.role, c.name, c.channels, c.languages, c.hours)
        .where(visible_to(viewer, t.contact_points))
        .order_by(c.owner_partner_id, c.role)
    )
    with engine.connect() as conn:
        places = _partner_points(conn)
        rows = conn.execute(query).all()
    for row in rows:
        place = places.get(row.owner_partner_id)
        if place is None:
            continue
        code, partner_name, point = place
        staffed = msgspec.convert(row.hours, StaffedHours).is_staffed(now)
        yield {
            "type": "Feature",
            "id": f"contact:{row.id}",
            "geometry": point,
            "properties": {
                "kind": "contact_point",
                "contact_point_id": str(row.id),
                "partner_id": str(row.owner_partner_id),
                "partner_code": code,
                "partner_name": partner_name,
                "role": row.role,
                "name": row.name,
                "channels": row.channels,
                "languages": row.languages,
                "marking": row.marking,
                "staffed_now": staffed,
            },
        }
