"""An incident's timeline: level changes, log, tasks, reports and notifications, merged by time.

Each kind is read with its own indexed, policy-filtered query limited to one page, and the pages are
merged: an incident with 50,000 log entries costs one index walk per kind, not a sort of everything.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.incident_views import TimelineItem
from crisislink.adapters.db.queries.incidents import MAX_PAGE, get_incident
from crisislink.domains.sharing.policy import Viewer

Row = Any
Cursor = tuple[datetime, str]


def _level_item(row: Row, marking: str, owner: uuid.UUID) -> TimelineItem:
    return TimelineItem(
        kind="level",
        id=f"{row.incident_id}:{row.seq}",
        at=row.at,
        recorded_at=row.recorded_at,
        owner_partner_id=row.by_partner_id or owner,
        marking=marking,
        summary=f"{row.country}: {row.previous or '—'} → {row.level}",
        details={
            "country": row.country,
            "level": row.level,
            "previous": row.previous,
            "reason": row.reason,
            "by_user_id": row.by_user_id,
        },
    )


def _log_item(row: Row) -> TimelineItem:
    return TimelineItem(
        kind="log",
        id=str(row.id),
        at=row.occurred_at,
        recorded_at=row.recorded_at,
        owner_partner_id=row.owner_partner_id,
        marking=row.marking,
        summary=row.text,
        details={
            "entry_kind": row.kind,
            "author_user_id": row.author_user_id,
            "decided_by": row.decided_by,
            "basis": row.basis,
            "corrects": row.corrects,
            "source": row.source,
        },
    )


def _task_item(row: Row) -> TimelineItem:
    return TimelineItem(
        kind="task",
        id=str(row.id),
        at=row.created_at,
        recorded_at=row.updated_at,
        owner_partner_id=row.owner_partner_id,
        marking=row.marking,
        summary=row.title,
        details={"status": row.status, "due_at": row.due_at, "assignee_partner_id": row.assignee_partner_id},
    )


def _sitrep_item(row: Row) -> TimelineItem:
    return TimelineItem(
        kind="sitrep",
        id=str(row.id),
        at=row.published_at or row.created_at,
        recorded_at=row.updated_at,
        owner_partner_id=row.owner_partner_id,
        marking=row.marking,
        summary=f"Situation report {row.number}",
        details={"number": row.number, "status": row.status, "next_report_at": row.next_report_at},
    )


def _notification_item(row: Row) -> TimelineItem:
    return TimelineItem(
        kind="notification",
        id=str(row.id),
        at=row.sent_at,
        recorded_at=row.updated_at,
        owner_partner_id=row.owner_partner_id,
        marking=row.marking,
        summary=row.reason,
        details={"partner_id": row.partner_id, "status": row.status, "step": row.step},
    )


# Per kind: the table, the column that says when it happened, the one that says when it last changed.
_KINDS: tuple[tuple[sa.Table, str, str, Callable[[Row], TimelineItem]], ...] = (
    (t.incident_log, "occurred_at", "recorded_at", _log_item),
    (t.incident_tasks, "created_at", "updated_at", _task_item),
    (t.sitreps, "created_at", "updated_at", _sitrep_item),
    (t.neighbour_notifications, "sent_at", "updated_at", _notification_item),
)


def _page(
    conn: sa.Connection,
    viewer: Viewer,
    table: sa.Table,
    incident_id: uuid.UUID,
    time_column: str,
    where: sa.ColumnElement[bool] | None,
    descending: bool,
    limit: int,
) -> list[Row]:
    column = table.c[time_column]
    order = (column.desc(), table.c.id.desc()) if descending else (column, table.c.id)
    # Correlated: each page walks an index and stops at its limit, so probing each row's own audience
    # beats listing every record the viewer's partner is named on (the bench measured 6x on the log).
    query = sa.select(table).where(
        table.c.incident_id == incident_id, visible_to(viewer, table, correlated=True)
    )
    if where is not None:
        query = query.where(where)
    return list(conn.execute(query.order_by(*order).limit(limit)))


def _levels(conn: sa.Connection, incident_id: uuid.UUID, where: sa.ColumnElement[bool] | None) -> list[Row]:
    query = sa.select(t.incident_levels).where(t.incident_levels.c.incident_id == incident_id)
    if where is not None:
        query = query.where(where)
    return list(conn.execute(query))


def timeline(
    engine: Engine, viewer: Viewer, incident_id: uuid.UUID, *, before: Cursor | None = None, limit: int = 50
) -> list[TimelineItem]:
    """Newest first by when things happened. `before` is the (at, id) of the last item of the previous page."""
    incident = get_incident(engine, viewer, incident_id)
    limit = min(limit, MAX_PAGE)
    streams: list[list[TimelineItem]] = []
    with engine.connect() as conn:
        for table, when, _, to_item in _KINDS:
            if table is t.sitreps:
                continue  # placed by publication time, which no index orders: see below
            where = _before(table, when, before)
            streams.append(
                [to_item(r) for r in _page(conn, viewer, table, incident_id, when, where, True, limit)]
            )
        # An incident has a few dozen reports at most: read them all, order them where they are shown
        # (published, else drafted); the merge drops those not before the cursor.
        reports = _page(conn, viewer, t.sitreps, incident_id, "created_at", None, True, MAX_PAGE)
        streams.append(sorted((_sitrep_item(r) for r in reports), key=_position, reverse=True))
        levels_where = _before(t.incident_levels, "at", before, id_column=None)
        streams.append(
            sorted(
                (
                    _level_item(r, incident.marking, incident.owner_partner_id)
                    for r in _levels(conn, incident_id, levels_where)
                ),
                key=_position,
                reverse=True,
            )
        )
    return _merge(streams, limit, before)


def _before(
    table: sa.Table, when: str, cursor: Cursor | None, id_column: str | None = "id"
) -> sa.ColumnElement[bool] | None:
    if cursor is None:
        return None
    column = table.c[when]
    cursor_id = _as_uuid(cursor[1])
    if id_column is None or cursor_id is None:
        # The merge drops what is not strictly before the cursor.
        return column <= cursor[0]
    # Equal times are ordered by id; UUIDs order the same as bytes in the database and as text here.
    return (column < cursor[0]) | ((column == cursor[0]) & (table.c[id_column] < cursor_id))


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _position(item: TimelineItem) -> tuple[datetime, str]:
    """Where an item sits in time; equal times are ordered by id (UUIDs sort alike here and in SQL)."""
    return (item.at, item.id)


def _merge(streams: Iterable[list[TimelineItem]], limit: int, before: Cursor | None) -> list[TimelineItem]:
    """Newest first: every stream comes newest first, so a reversed merge keeps that order."""
    merged = heapq.merge(*streams, key=_position, reverse=True)
    if before is not None:
        merged = (i for i in merged if (i.at, i.id) < before)
    out: list[TimelineItem] = []
    for item in merged:
        out.append(item)
        if len(out) == limit:
            break
    return out


def changes_since(
    engine: Engine, viewer: Viewer, incident_id: uuid.UUID, since: datetime, *, limit: int = 500
) -> list[TimelineItem]:
    """What was recorded or changed after `since`, oldest first: what a returning operator missed."""
    incident = get_incident(engine, viewer, incident_id)
    limit = min(limit, MAX_PAGE)
    streams: list[list[TimelineItem]] = []
    with engine.connect() as conn:
        for table, _, changed, to_item in _KINDS:
            where = table.c[changed] > since
            rows = _page(conn, viewer, table, incident_id, changed, where, False, limit)
            streams.append([to_item(r) for r in rows])
        levels = _levels(conn, incident_id, t.incident_levels.c.recorded_at > since)
        streams.append(
            sorted(
                (_level_item(r, incident.marking, incident.owner_partner_id) for r in levels),
                key=_oldest_change_first,
            )
        )
    merged = heapq.merge(*streams, key=_oldest_change_first)
    return [item for _, item in zip(range(limit), merged, strict=False)]


def _oldest_change_first(item: TimelineItem) -> tuple[float, str]:
    return (item.recorded_at.timestamp(), item.id)
