"""The event log read once for every live reader: events with their labels, and their contexts' labels.

The live feed's SQL path (`queries.events`) asks the database once per reader; this module reads each new
event once per process and hands back its label, so `app.live_tail` can apply the sharing policy to every
reader in memory (ADR 0011). The labels are the ones `access.visible_to` filters on, read from the same
columns and audience rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.outbox import audiences
from crisislink.adapters.db.queries.events import head_position
from crisislink.adapters.db.queries.record_labels import current_labels
from crisislink.adapters.db.queries.views import EventView
from crisislink.kernel.markings import Label, Principal, Tlp

_COLUMNS = [c for c in t.events.c if c.name != "actor_user_id"]
# Records that other events live inside (see Event.CONTEXT and queries.events._context_visible).
CONTEXT_TABLES: tuple[sa.Table, ...] = (t.incidents, t.datasets)
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class LabelledEvent:
    """One event as the feed sends it (`data`, encoded once for every reader) and what decides who gets it."""

    position: int
    data: str
    label: Label
    context_id: uuid.UUID | None


@dataclass(frozen=True)
class LogSlice:
    events: list[LabelledEvent]
    scanned: int  # every event up to here has been read (the log's head, or the last event of a full slice)


def encoded(event: EventView) -> str:
    return _encoder.encode(event).decode()


def read_after(engine: Engine, position: int, limit: int) -> LogSlice:
    """The events after `position`, at most `limit`, each with its label.

    The head is read first, so a slice that comes back short has seen the whole log up to it.
    """
    head = head_position(engine)
    query = (
        sa.select(*_COLUMNS).where(t.events.c.position > position).order_by(t.events.c.position).limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        named = audiences(conn, [row["id"] for row in rows])
    events = [_labelled(row, named.get(row["id"], frozenset())) for row in rows]
    full = len(rows) == limit
    scanned = events[-1].position if full else max(head, events[-1].position if events else position)
    return LogSlice(events, scanned)


def _labelled(row: sa.RowMapping, audience: frozenset[Principal]) -> LabelledEvent:
    view = EventView(**{str(key): value for key, value in row.items() if key != "context_id"})
    label = Label(view.owner_partner_id, view.origin_node_id, Tlp(view.marking), audience)
    return LabelledEvent(view.position, encoded(view), label, row["context_id"])


def context_labels(engine: Engine, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Label]:
    """The current label of each context record found (an id found nowhere is left out: nobody sees it)."""
    found: dict[uuid.UUID, Label] = {}
    if ids:
        with engine.connect() as conn:
            for table in CONTEXT_TABLES:
                found |= current_labels(conn, table, ids)
    return found
