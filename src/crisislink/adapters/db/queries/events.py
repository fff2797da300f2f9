"""The event log as a reader may see it: the live feed and its catch-up after a reconnect."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.views import EventView
from crisislink.domains.sharing.policy import Viewer

_COLUMNS = [c for c in t.events.c if c.name not in {"actor_user_id", "context_id"}]


def _context_visible(viewer: Viewer) -> sa.ColumnElement[bool]:
    """An event about a record inside an incident reaches only those who may see the incident too.

    Context records are incidents and datasets; another capability with records that live inside a
    larger one would add its table here.
    """
    visible_incidents = sa.select(t.incidents.c.id).where(visible_to(viewer, t.incidents))
    visible_datasets = sa.select(t.datasets.c.id).where(visible_to(viewer, t.datasets))  # datasets (line 4)
    context = t.events.c.context_id
    return context.is_(None) | context.in_(visible_incidents) | context.in_(visible_datasets)


def visible_after(engine: Engine, viewer: Viewer, position: int, limit: int = 500) -> list[EventView]:
    query = (
        sa.select(*_COLUMNS)
        .where(
            t.events.c.position > position,
            visible_to(viewer, t.events, correlated=True),
            _context_visible(viewer),
        )
        .order_by(t.events.c.position)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [EventView(**row) for row in conn.execute(query).mappings()]


def next_batch(
    engine: Engine, viewer: Viewer, position: int, limit: int = 500
) -> tuple[list[EventView], int]:
    """What the viewer may see after `position`, and how far the log was scanned.

    The head is read first: every event up to it is covered by the scan that follows, so a reader with
    nothing visible can still move past events it may not see (instead of asking again at once).
    """
    head = head_position(engine)
    batch = visible_after(engine, viewer, position, limit)
    scanned = (
        batch[-1].position if len(batch) == limit else max(head, batch[-1].position if batch else position)
    )
    return batch, scanned


def head_position(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(t.events.c.position))).scalar() or 0)
