"""Queries of the incidents capability. Every one filters with the sharing policy.

A record that hangs off an incident (log entry, task, report, notification) is shown only to someone
who may see both the record and its incident: the incident is checked first, then each row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.directory import audience_column, audience_members
from crisislink.adapters.db.queries.incident_views import (
    IncidentSummary,
    IncidentView,
    LevelView,
    LogEntryView,
    NotificationView,
    SitrepView,
    TaskView,
)
from crisislink.adapters.db.queries.views import record
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 500
OPEN_TASKS = ("open", "in_progress")


@dataclass(frozen=True)
class IncidentFilter:
    status: str | None = None  # None: every incident that is not closed
    mode: str | None = None
    hazard: str | None = None
    include_closed: bool = False
    limit: int = 100
    offset: int = 0


def _levels(conn: sa.Connection, incident_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[LevelView]]:
    lv = t.incident_levels.c
    history: dict[uuid.UUID, list[LevelView]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return history
    rows = conn.execute(sa.select(t.incident_levels).where(lv.incident_id.in_(incident_ids)).order_by(lv.seq))
    for row in rows.mappings():
        history[row["incident_id"]].append(msgspec.convert(record(row), LevelView, from_attributes=True))
    return history


def current_levels(history: list[LevelView]) -> list[LevelView]:
    latest: dict[str, LevelView] = {}
    for change in history:
        latest[change.country] = change
    return list(latest.values())


def list_incidents(engine: Engine, viewer: Viewer, flt: IncidentFilter) -> list[IncidentSummary]:
    i = t.incidents.c
    query = sa.select(t.incidents).where(visible_to(viewer, t.incidents))
    if flt.status:
        query = query.where(i.status == flt.status)
    elif not flt.include_closed:
        query = query.where(i.status != "closed")
    if flt.mode:
        query = query.where(i.mode == flt.mode)
    if flt.hazard:
        query = query.where(i.hazard == flt.hazard)
    query = query.order_by(i.declared_at.desc(), i.id).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        rows = [record(row) for row in conn.execute(query).mappings()]
        levels = _levels(conn, [row["id"] for row in rows])
    return [
        msgspec.convert(
            {**row, "levels": current_levels(levels[row["id"]])}, IncidentSummary, from_attributes=True
        )
        for row in rows
    ]


def get_incident(engine: Engine, viewer: Viewer, incident_id: uuid.UUID) -> IncidentView:
    query = sa.select(*t.incidents.c, audience_column(t.incidents).label("audience")).where(
        t.incidents.c.id == incident_id, visible_to(viewer, t.incidents, correlated=True)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"no incident with id {incident_id} that you may see")
        history = _levels(conn, [incident_id])[incident_id]
    data = record(row)
    return msgspec.convert(
        {
            **data,
            "audience": audience_members(data["audience"]),
            "area": data["area"]["geometry"],
            "involved": [uuid.UUID(p) for p in data["involved"]],
            "levels": current_levels(history),
            "level_history": history,
        },
        IncidentView,
        from_attributes=True,
    )


def _child_rows(
    conn: sa.Connection,
    table: sa.Table,
    viewer: Viewer,
    where: sa.ColumnElement[bool],
    order: Any,
    limit: int,
) -> list[dict[str, Any]]:
    query = (
        sa.select(table).where(where, visible_to(viewer, table)).order_by(*order).limit(min(limit, MAX_PAGE))
    )
    return [record(row) for row in conn.execute(query).mappings()]


def log_entries(
    engine: Engine,
    viewer: Viewer,
    incident_id: uuid.UUID,
    *,
    before: tuple[datetime, uuid.UUID | None] | None = None,
    limit: int = 100,
) -> list[LogEntryView]:
    """Newest first, by when it happened; `before` continues a page (keyset: time, then id if given)."""
    get_incident(engine, viewer, incident_id)
    c = t.incident_log.c
    where = c.incident_id == incident_id
    if before is not None:
        # Compared column by column, so each value is bound with its column's type (times as UTC).
        at, last_id = before
        earlier = c.occurred_at < at
        where = where & (earlier if last_id is None else earlier | ((c.occurred_at == at) & (c.id < last_id)))
    with engine.connect() as conn:
        rows = _child_rows(conn, t.incident_log, viewer, where, (c.occurred_at.desc(), c.id.desc()), limit)
    return [msgspec.convert(row, LogEntryView, from_attributes=True) for row in rows]


def all_log_entries(engine: Engine, viewer: Viewer, incident_id: uuid.UUID) -> list[LogEntryView]:
    """The whole log the viewer may see, newest first, page after page: an export is complete."""
    entries: list[LogEntryView] = []
    before: tuple[datetime, uuid.UUID | None] | None = None
    while True:
        page = log_entries(engine, viewer, incident_id, before=before, limit=MAX_PAGE)
        entries.extend(page)
        if len(page) < MAX_PAGE:
            return entries
        before = (page[-1].occurred_at, page[-1].id)


def tasks(
    engine: Engine, viewer: Viewer, incident_id: uuid.UUID, now: datetime, *, overdue_only: bool = False
) -> list[TaskView]:
    get_incident(engine, viewer, incident_id)
    c = t.incident_tasks.c
    where = c.incident_id == incident_id
    if overdue_only:
        where = where & c.status.in_(OPEN_TASKS) & (c.due_at < now)
    with engine.connect() as conn:
        rows = _child_rows(conn, t.incident_tasks, viewer, where, (c.due_at, c.id), MAX_PAGE)
    return [_task_view(row, now) for row in rows]


def _task_view(row: Mapping[str, Any], now: datetime) -> TaskView:
    overdue = row["status"] in OPEN_TASKS and row["due_at"] < now
    return msgspec.convert({**row, "overdue": overdue}, TaskView, from_attributes=True)


def get_task(engine: Engine, viewer: Viewer, task_id: uuid.UUID, now: datetime) -> TaskView:
    return _task_view(_inside_visible_incident(engine, viewer, t.incident_tasks, task_id, "task"), now)


def _inside_visible_incident(
    engine: Engine, viewer: Viewer, table: sa.Table, record_id: uuid.UUID, noun: str
) -> dict[str, Any]:
    """A record the viewer may see, in an incident the viewer may see; otherwise the same 404 as missing.

    The refusal names only the record asked for: it must not confirm that it exists, nor name its incident.
    """
    row = _one(engine, viewer, table, record_id, noun)
    try:
        get_incident(engine, viewer, row["incident_id"])
    except NotFound:
        raise NotFound(f"no {noun} with id {record_id} that you may see") from None
    return row


def _one(engine: Engine, viewer: Viewer, table: sa.Table, record_id: uuid.UUID, noun: str) -> dict[str, Any]:
    query = sa.select(table).where(table.c.id == record_id, visible_to(viewer, table, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no {noun} with id {record_id} that you may see")
    return record(row)


def _sitrep_view(row: Mapping[str, Any]) -> SitrepView:
    missing = [language for language in row["languages_required"] if language not in row["texts"]]
    return msgspec.convert({**row, "missing_languages": missing}, SitrepView, from_attributes=True)


def sitreps(engine: Engine, viewer: Viewer, incident_id: uuid.UUID) -> list[SitrepView]:
    get_incident(engine, viewer, incident_id)
    c = t.sitreps.c
    with engine.connect() as conn:
        rows = _child_rows(
            conn, t.sitreps, viewer, c.incident_id == incident_id, (c.number.desc(),), MAX_PAGE
        )
    return [_sitrep_view(row) for row in rows]


def get_sitrep(engine: Engine, viewer: Viewer, sitrep_id: uuid.UUID) -> SitrepView:
    return _sitrep_view(_inside_visible_incident(engine, viewer, t.sitreps, sitrep_id, "situation report"))


def latest_published_sitrep(engine: Engine, viewer: Viewer, incident_id: uuid.UUID) -> SitrepView | None:
    published = [s for s in sitreps(engine, viewer, incident_id) if s.status == "published"]
    return published[0] if published else None


def _notification_query(viewer: Viewer) -> sa.Select[Any]:
    n = t.neighbour_notifications
    return (
        sa.select(
            *n.c, t.incidents.c.title.label("incident_title"), t.incidents.c.mode.label("incident_mode")
        )
        .join(t.incidents, t.incidents.c.id == n.c.incident_id)
        .where(visible_to(viewer, n), visible_to(viewer, t.incidents))
    )


def _notification_view(row: Mapping[str, Any]) -> NotificationView:
    chain = [uuid.UUID(c) for c in row["chain"]]
    return msgspec.convert(
        {**row, "chain": chain, "contact_point_id": chain[min(row["step"], len(chain) - 1)]},
        NotificationView,
        from_attributes=True,
    )


def notifications(engine: Engine, viewer: Viewer, incident_id: uuid.UUID) -> list[NotificationView]:
    get_incident(engine, viewer, incident_id)
    n = t.neighbour_notifications.c
    query = _notification_query(viewer).where(n.incident_id == incident_id).order_by(n.sent_at, n.id)
    with engine.connect() as conn:
        return [_notification_view(record(row)) for row in conn.execute(query).mappings()]


def notifications_for(engine: Engine, viewer: Viewer, partner_id: uuid.UUID) -> list[NotificationView]:
    """What a partner was told about: its inbox, newest first, unanswered ones included."""
    n = t.neighbour_notifications.c
    query = (
        _notification_query(viewer).where(n.partner_id == partner_id).order_by(n.sent_at.desc()).limit(100)
    )
    with engine.connect() as conn:
        return [_notification_view(record(row)) for row in conn.execute(query).mappings()]


def get_notification(engine: Engine, viewer: Viewer, notification_id: uuid.UUID) -> NotificationView:
    n = t.neighbour_notifications
    query = _notification_query(viewer).where(n.c.id == notification_id)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no notification with id {notification_id} that you may see")
    return _notification_view(record(row))


def incident_features(engine: Engine, viewer: Viewer) -> Iterator[dict[str, Any]]:
    """Open incidents as map features: the affected area, with the marker point and levels as properties."""
    i = t.incidents.c
    query = (
        sa.select(
            i.id,
            i.title,
            i.hazard,
            i.status,
            i.mode,
            i.marking,
            i.area,
            i.anchor,
            i.lead_partner_id,
            i.declared_at,
        )
        .where(visible_to(viewer, t.incidents), i.status != "closed")
        .order_by(i.declared_at.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        levels = _levels(conn, [row.id for row in rows])
    for row in rows:
        yield {
            "type": "Feature",
            "id": f"incident:{row.id}",
            "geometry": row.area["geometry"],
            "properties": {
                "kind": "incident",
                "incident_id": str(row.id),
                "title": row.title,
                "hazard": row.hazard,
                "status": row.status,
                "mode": row.mode,
                "marking": row.marking,
                "anchor": row.anchor,
                "lead_partner_id": str(row.lead_partner_id),
                "declared_at": row.declared_at.isoformat(),
                "levels": {lv.country: lv.level for lv in current_levels(levels[row.id])},
            },
        }


def incident_id_by_reference(engine: Engine, reference: str) -> uuid.UUID | None:
    """For importers and replays, to load the same thing once: not policy-filtered, returns only an id."""
    query = sa.select(t.incidents.c.id).where(t.incidents.c.reference == reference)
    with engine.connect() as conn:
        found: uuid.UUID | None = conn.execute(query).scalars().first()
    return found


def get_log_entry(engine: Engine, viewer: Viewer, entry_id: uuid.UUID) -> LogEntryView:
    row = _inside_visible_incident(engine, viewer, t.incident_log, entry_id, "log entry")
    return msgspec.convert(row, LogEntryView, from_attributes=True)
