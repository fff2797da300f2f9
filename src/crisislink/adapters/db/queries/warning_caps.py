"""Which signed CAP files a warning's messages went out as (whole, and per country part), for the console's
links to them. Filtered by the sharing policy like every console read: nothing for a warning you may not see.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.domains.sharing.policy import Viewer

P = t.warning_publications
W = t.public_warnings


def published_caps(engine: Engine, viewer: Viewer, warning_id: uuid.UUID) -> dict[str, list[str]]:
    """identifier -> the parts published for it: "" for the whole message, then country codes."""
    query = (
        sa.select(P.c.identifier, P.c.country)
        .join(W, W.c.id == P.c.warning_id)
        .where(P.c.warning_id == warning_id, visible_to(viewer, W))
        .order_by(P.c.identifier, P.c.country)
    )
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for identifier, country in conn.execute(query):
            found.setdefault(identifier, []).append(country)
    return found
