"""The label of shareable records as it is now: row and audience read in one statement.

One statement is one snapshot on any isolation level: read in two, a relabel committed in between could
pair the old marking with the new audience (PostgreSQL, READ COMMITTED), a label that never existed.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp


def current_labels(
    conn: sa.Connection, table: sa.Table, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Label]:
    """The label of each record of `table` found among `ids` (one not found is left out)."""
    if not ids:
        return {}
    r, a = table.c, t.audience.c
    rows = conn.execute(
        sa.select(r.id, r.owner_partner_id, r.home_node_id, r.marking, a.principal_kind, a.principal_id)
        .outerjoin(t.audience, a.record_id == r.id)
        .where(r.id.in_(sorted(ids)))
    )
    found: dict[uuid.UUID, tuple[Any, set[Principal]]] = {}
    for row in rows:
        _, audience = found.setdefault(row.id, (row, set()))
        if row.principal_id is not None:
            audience.add(Principal(PrincipalKind(row.principal_kind), row.principal_id))
    return {
        key: Label(row.owner_partner_id, row.home_node_id, Tlp(row.marking), frozenset(audience))
        for key, (row, audience) in found.items()
    }
