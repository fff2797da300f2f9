"""Repositories of the incidents capability. Like all repositories they never commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.repositories import Row, S, _area_from_json, _area_to_json, _ShareableRepository
from crisislink.adapters.geo.points import representative_point
from crisislink.domains.incidents.model import (
    EntryKind,
    Incident,
    IncidentStatus,
    LevelChange,
    LogEntry,
    Mode,
    Point,
    Task,
    TaskStatus,
)
from crisislink.domains.incidents.notifications import NeighbourNotification, NotificationStatus
from crisislink.domains.incidents.sitreps import Figures, Sitrep, SitrepStatus, SitrepText


class _StampedRepository(_ShareableRepository[S]):
    """Stamps `updated_at` on every write, so "what changed since" is one indexed range per table."""

    def __init__(self, connection: sa.Connection, now: Callable[[], datetime]) -> None:
        super().__init__(connection)
        self._now = now

    def _written_row(self, aggregate: S) -> Row:
        return {**self._to_row(aggregate), "updated_at": self._now()}

    def _all(self, condition: sa.ColumnElement[bool]) -> list[S]:
        """Every record matching `condition`, through the identity map (so changes are flushed)."""
        ids = self._conn.execute(sa.select(self.table.c.id).where(condition)).scalars().all()
        return [self.get(record_id) for record_id in ids]


def _point_to_json(point: Point | None) -> list[float] | None:
    return None if point is None else [point.lon, point.lat]


def _point_from_json(value: Sequence[float] | None) -> Point | None:
    return None if value is None else Point(lon=float(value[0]), lat=float(value[1]))


class IncidentRepository(_StampedRepository[Incident]):
    table = t.incidents
    noun = "incident"

    def _to_row(self, incident: Incident) -> Row:
        area = _area_to_json(incident.area)
        assert area is not None
        return {
            "id": incident.id,
            **self._label_row(incident.label),
            "title": incident.title,
            "hazard": incident.hazard,
            "description": incident.description,
            "area": area,
            "location": _point_to_json(incident.location),
            "lead_partner_id": incident.lead_partner_id,
            "involved": sorted(str(p) for p in incident.involved),
            "languages": list(incident.languages),
            "occurred_at": incident.occurred_at,
            "declared_at": incident.declared_at,
            "declared_by": incident.declared_by,
            "mode": incident.mode.value,
            "status": incident.status.value,
            "reference": incident.reference,
            "levels": len(incident.levels),
        }

    def _written_row(self, incident: Incident) -> Row:
        row = super()._written_row(incident)
        del row["levels"]
        row["anchor"] = _anchor_of(incident)
        return row

    def _from_row(self, row: Mapping[str, Any]) -> Incident:
        area = _area_from_json(row["area"])
        assert area is not None
        return Incident(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            title=row["title"],
            hazard=row["hazard"],
            description=row["description"],
            area=area,
            location=_point_from_json(row["location"]),
            lead_partner_id=row["lead_partner_id"],
            involved=frozenset(uuid.UUID(p) for p in row["involved"]),
            languages=tuple(row["languages"]),
            occurred_at=row["occurred_at"],
            declared_at=row["declared_at"],
            declared_by=row["declared_by"],
            mode=Mode(row["mode"]),
            status=IncidentStatus(row["status"]),
            reference=row["reference"],
            levels=self._levels(row["id"]),
        )

    def _levels(self, incident_id: uuid.UUID) -> list[LevelChange]:
        rows = self._conn.execute(
            sa.select(t.incident_levels)
            .where(t.incident_levels.c.incident_id == incident_id)
            .order_by(t.incident_levels.c.seq)
        ).mappings()
        return [
            LevelChange(
                country=r["country"],
                level=r["level"],
                previous=r["previous"],
                at=r["at"],
                recorded_at=r["recorded_at"],
                by_user_id=r["by_user_id"],
                by_partner_id=r["by_partner_id"],
                reason=r["reason"],
            )
            for r in rows
        ]

    def _after_insert(self, incident: Incident) -> None:
        super()._after_insert(incident)
        self._write_levels(incident, 0)

    def _after_update(self, incident: Incident) -> None:
        super()._after_update(incident)
        stored = self._conn.execute(
            sa.select(sa.func.count()).where(t.incident_levels.c.incident_id == incident.id)
        ).scalar_one()
        self._write_levels(incident, stored)

    def _write_levels(self, incident: Incident, stored: int) -> None:
        """Level history is append-only: only changes not yet stored are written."""
        new = incident.levels[stored:]
        if new:
            self._conn.execute(
                t.incident_levels.insert(),
                [
                    {"incident_id": incident.id, "seq": stored + i, **msgspec.structs.asdict(_level_row(c))}
                    for i, c in enumerate(new)
                ],
            )


class _LevelRow(msgspec.Struct):
    country: str
    level: str
    previous: str | None
    at: datetime
    recorded_at: datetime
    by_user_id: uuid.UUID | None
    by_partner_id: uuid.UUID | None
    reason: str


def _level_row(change: LevelChange) -> _LevelRow:
    return _LevelRow(
        change.country,
        change.level,
        change.previous,
        change.at,
        change.recorded_at,
        change.by_user_id,
        change.by_partner_id,
        change.reason,
    )


def _anchor_of(incident: Incident) -> dict[str, Any]:
    if incident.location is not None:
        return {"type": "Point", "coordinates": [incident.location.lon, incident.location.lat]}
    return representative_point(dict(incident.area.geometry))


class LogRepository(_ShareableRepository[LogEntry]):
    table = t.incident_log
    noun = "log entry"

    def _to_row(self, entry: LogEntry) -> Row:
        return {
            "id": entry.id,
            **self._label_row(entry.label),
            "incident_id": entry.incident_id,
            "kind": entry.kind.value,
            "text": entry.text,
            "occurred_at": entry.occurred_at,
            "recorded_at": entry.recorded_at,
            "author_user_id": entry.author_user_id,
            "decided_by": entry.decided_by,
            "basis": entry.basis,
            "corrects": entry.corrects,
            "source": entry.source,
        }

    def _from_row(self, row: Mapping[str, Any]) -> LogEntry:
        return LogEntry(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            incident_id=row["incident_id"],
            kind=EntryKind(row["kind"]),
            text=row["text"],
            occurred_at=row["occurred_at"],
            recorded_at=row["recorded_at"],
            author_user_id=row["author_user_id"],
            decided_by=row["decided_by"],
            basis=row["basis"],
            corrects=row["corrects"],
            source=row["source"],
        )


class TaskRepository(_StampedRepository[Task]):
    table = t.incident_tasks
    noun = "task"

    def _to_row(self, task: Task) -> Row:
        return {
            "id": task.id,
            **self._label_row(task.label),
            "incident_id": task.incident_id,
            "title": task.title,
            "details": task.details,
            "assignee_partner_id": task.assignee_partner_id,
            "assignee_user_id": task.assignee_user_id,
            "due_at": task.due_at,
            "created_at": task.created_at,
            "created_by": task.created_by,
            "status": task.status.value,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Task:
        return Task(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            incident_id=row["incident_id"],
            title=row["title"],
            details=row["details"],
            assignee_partner_id=row["assignee_partner_id"],
            assignee_user_id=row["assignee_user_id"],
            due_at=row["due_at"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            status=TaskStatus(row["status"]),
            updated_at=row["updated_at"],
        )


class SitrepRepository(_StampedRepository[Sitrep]):
    table = t.sitreps
    noun = "situation report"

    def _to_row(self, sitrep: Sitrep) -> Row:
        return {
            "id": sitrep.id,
            **self._label_row(sitrep.label),
            "incident_id": sitrep.incident_id,
            "number": sitrep.number,
            "author_user_id": sitrep.author_user_id,
            "texts": msgspec.to_builtins(sitrep.texts, order="sorted"),
            "figures": msgspec.to_builtins(sitrep.figures, order="sorted"),
            "languages_required": list(sitrep.languages_required),
            "created_at": sitrep.created_at,
            "next_report_at": sitrep.next_report_at,
            "status": sitrep.status.value,
            "publish_at": sitrep.publish_at,
            "published_at": sitrep.published_at,
            "reminded_at": sitrep.reminded_at,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Sitrep:
        return Sitrep(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            incident_id=row["incident_id"],
            number=row["number"],
            author_user_id=row["author_user_id"],
            texts=msgspec.convert(row["texts"], type=dict[str, SitrepText]),
            figures=msgspec.convert(row["figures"], type=Figures),
            languages_required=tuple(row["languages_required"]),
            created_at=row["created_at"],
            next_report_at=row["next_report_at"],
            status=SitrepStatus(row["status"]),
            publish_at=row["publish_at"],
            published_at=row["published_at"],
            reminded_at=row["reminded_at"],
        )

    def next_number(self, incident_id: uuid.UUID) -> int:
        highest = self._conn.execute(
            sa.select(sa.func.max(t.sitreps.c.number)).where(t.sitreps.c.incident_id == incident_id)
        ).scalar_one()
        return int(highest or 0) + 1

    def scheduled_before(self, moment: datetime) -> list[Sitrep]:
        return self._all(
            (t.sitreps.c.status == SitrepStatus.SCHEDULED.value) & (t.sitreps.c.publish_at <= moment)
        )

    def awaiting_reminder(self, before: datetime) -> list[Sitrep]:
        # Only the latest published report of an incident asks for the next one.
        return [
            s
            for s in self._all(
                (t.sitreps.c.status == SitrepStatus.PUBLISHED.value)
                & (t.sitreps.c.next_report_at <= before)
                & t.sitreps.c.reminded_at.is_(None)
            )
            if not self._superseded(s)
        ]

    def _superseded(self, sitrep: Sitrep) -> bool:
        # A report published earlier in this same unit of work is not in the database yet.
        if any(
            other.incident_id == sitrep.incident_id
            and other.number > sitrep.number
            and other.status is SitrepStatus.PUBLISHED
            for other in self.seen()
        ):
            return True
        newer = self._conn.execute(
            sa.select(sa.func.count()).where(
                t.sitreps.c.incident_id == sitrep.incident_id,
                t.sitreps.c.number > sitrep.number,
                t.sitreps.c.status == SitrepStatus.PUBLISHED.value,
            )
        ).scalar_one()
        return bool(newer)


class NotificationRepository(_StampedRepository[NeighbourNotification]):
    table = t.neighbour_notifications
    noun = "notification"

    def _to_row(self, notification: NeighbourNotification) -> Row:
        return {
            "id": notification.id,
            **self._label_row(notification.label),
            "incident_id": notification.incident_id,
            "partner_id": notification.partner_id,
            "reason": notification.reason,
            "chain": [str(c) for c in notification.chain],
            "step": notification.step,
            "status": notification.status.value,
            "sent_at": notification.sent_at,
            "escalate_at": notification.escalate_at,
            "acknowledged_at": notification.acknowledged_at,
            "acknowledged_by": notification.acknowledged_by,
        }

    def _from_row(self, row: Mapping[str, Any]) -> NeighbourNotification:
        return NeighbourNotification(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            incident_id=row["incident_id"],
            partner_id=row["partner_id"],
            reason=row["reason"],
            chain=tuple(uuid.UUID(c) for c in row["chain"]),
            step=row["step"],
            status=NotificationStatus(row["status"]),
            sent_at=row["sent_at"],
            escalate_at=row["escalate_at"],
            acknowledged_at=row["acknowledged_at"],
            acknowledged_by=row["acknowledged_by"],
        )

    def for_incident(self, incident_id: uuid.UUID) -> list[NeighbourNotification]:
        return self._all(t.neighbour_notifications.c.incident_id == incident_id)

    def pending_before(self, moment: datetime) -> list[NeighbourNotification]:
        return self._all(
            (t.neighbour_notifications.c.status == NotificationStatus.PENDING.value)
            & (t.neighbour_notifications.c.escalate_at <= moment)
        )
