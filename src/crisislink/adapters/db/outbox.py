"""The outbox: events are written in the same transaction as the change that caused them.

The `events` table is both outbox and event log: its `position` orders delivery, backs the SSE
`Last-Event-ID`, and lets each consumer keep a cursor.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.codec import EventRegistry, decode_event, event_payload
from crisislink.adapters.db.repositories import write_audience
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Envelope, Event

_INSERT_EVENT = t.events.insert()  # built once: SQLAlchemy then reuses its cache key


def write(connection: sa.Connection, envelope: Envelope) -> int:
    result = connection.execute(
        _INSERT_EVENT,
        {
            "id": envelope.id,
            "type": envelope.type,
            "version": envelope.version,
            "occurred_at": envelope.occurred_at,
            "origin_node_id": envelope.origin_node_id,
            "owner_partner_id": envelope.label.owner_partner_id,
            "marking": envelope.label.marking.value,
            "correlation_id": envelope.correlation_id,
            "causation_id": envelope.causation_id,
            "payload": envelope.payload,
            "context_id": envelope.context_id,
        },
    )
    write_audience(connection, envelope.id, envelope.label.audience)
    position = result.inserted_primary_key
    assert position is not None
    return int(position[0])


def envelope_of(event: Event, **context: Any) -> Envelope:
    return Envelope(
        type=event.TYPE,
        version=event.VERSION,
        label=event.label,
        payload=event_payload(event),
        context_id=getattr(event, event.CONTEXT) if event.CONTEXT else None,
        **context,
    )


def audiences(connection: sa.Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, frozenset[Principal]]:
    found: dict[uuid.UUID, set[Principal]] = {}
    if ids:
        query = sa.select(t.audience).where(t.audience.c.record_id.in_(ids))
        for row in connection.execute(query):
            found.setdefault(row.record_id, set()).add(
                Principal(PrincipalKind(row.principal_kind), row.principal_id)
            )
    return {key: frozenset(value) for key, value in found.items()}


def rows_to_envelopes(connection: sa.Connection, rows: Sequence[sa.Row[Any]]) -> list[Envelope]:
    named = audiences(connection, [row.id for row in rows])
    return [_envelope(row, named) for row in rows]


def _envelope(row: sa.Row[Any], audiences: Mapping[uuid.UUID, frozenset[Principal]]) -> Envelope:
    return Envelope(
        id=row.id,
        type=row.type,
        version=row.version,
        occurred_at=row.occurred_at,
        origin_node_id=row.origin_node_id,
        label=Label(
            row.owner_partner_id, row.origin_node_id, Tlp(row.marking), audiences.get(row.id, frozenset())
        ),
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        payload=row.payload,
        position=row.position,
        context_id=row.context_id,
    )


def read_after(connection: sa.Connection, position: int, limit: int) -> list[Envelope]:
    rows = connection.execute(
        sa.select(t.events).where(t.events.c.position > position).order_by(t.events.c.position).limit(limit)
    ).all()
    return rows_to_envelopes(connection, rows)


def read_wanted_after(
    connection: sa.Connection, position: int, limit: int, types: Collection[str]
) -> tuple[list[Envelope], int]:
    """The events after `position` (at most `limit` scanned) whose type is one of `types`, and the last
    position scanned (`position` if none): a consumer decodes only the payloads it handles."""
    scanned = connection.execute(
        sa.select(t.events.c.position, t.events.c.type)
        .where(t.events.c.position > position)
        .order_by(t.events.c.position)
        .limit(limit)
    ).all()
    if not scanned:
        return [], position
    wanted = [row.position for row in scanned if row.type in types]
    rows = (
        connection.execute(
            sa.select(t.events).where(t.events.c.position.in_(wanted)).order_by(t.events.c.position)
        ).all()
        if wanted
        else []
    )
    return rows_to_envelopes(connection, rows), int(scanned[-1].position)


# Built once: a dispatcher pass runs these after every commit.
_SCAN = (
    sa.select(t.events.c.position, t.events.c.type)
    .where(t.events.c.position > sa.bindparam("after"))
    .order_by(t.events.c.position)
    .limit(sa.bindparam("limit"))
)
_AT_POSITIONS = (
    sa.select(t.events, t.audience.c.principal_kind, t.audience.c.principal_id)
    .outerjoin(t.audience, t.audience.c.record_id == t.events.c.id)
    .where(t.events.c.position.in_(sa.bindparam("positions", expanding=True)))
)


def scan_after(connection: sa.Connection, position: int, limit: int) -> list[tuple[int, str]]:
    """Position and type of at most `limit` events after `position`: what a dispatcher pass looks at
    before it decodes anything."""
    rows = connection.execute(_SCAN, {"after": position, "limit": limit})
    return [(int(p), str(kind)) for p, kind in rows]


def read_positions(connection: sa.Connection, positions: Sequence[int]) -> dict[int, Envelope]:
    """The events at `positions`, each with its audience, in one query."""
    if not positions:
        return {}
    rows: dict[int, sa.Row[Any]] = {}
    named: dict[uuid.UUID, set[Principal]] = {}
    for row in connection.execute(_AT_POSITIONS, {"positions": list(positions)}):
        rows.setdefault(row.position, row)
        if row.principal_kind is not None:
            principal = Principal(PrincipalKind(row.principal_kind), row.principal_id)
            named.setdefault(row.id, set()).add(principal)
    audiences = {key: frozenset(value) for key, value in named.items()}
    return {position: _envelope(row, audiences) for position, row in sorted(rows.items())}


def read_ids(connection: sa.Connection, ids: Sequence[uuid.UUID]) -> list[Envelope]:
    rows = connection.execute(
        sa.select(t.events).where(t.events.c.id.in_(ids)).order_by(t.events.c.position)
    ).all()
    return rows_to_envelopes(connection, rows)


def to_event(registry: EventRegistry, envelope: Envelope) -> Event:
    return decode_event(registry.get(envelope.type), envelope.payload, envelope.label)
