"""Incidents: declare, follow each country's level, the common log, tasks, neighbours told."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries import timeline as tl
from crisislink.adapters.db.queries.incident_views import (
    IncidentSummary,
    IncidentView,
    LogEntryView,
    NotificationView,
    TaskView,
    TimelineItem,
)
from crisislink.app.auth import Caller
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind, IncidentStatus, Mode
from crisislink.entrypoints.web.api import incident_parse as ip
from crisislink.entrypoints.web.api import incident_schemas as s
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.exports import log_csv
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Tlp

Limit = Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)]


class IncidentController(Controller):
    path = "/api/incidents"
    tags = ["incidents"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Incidents you may see, newest first (closed ones on request)")
    def list_incidents(
        self,
        state: State,
        caller: Caller,
        status: Annotated[str | None, Parameter(max_length=16)] = None,
        mode: Annotated[str | None, Parameter(max_length=10)] = None,
        hazard: Annotated[str | None, Parameter(max_length=40)] = None,
        include_closed: bool = False,
        limit: Limit = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[IncidentSummary]:
        flt = q.IncidentFilter(status, mode, hazard, include_closed, limit, offset)
        return q.list_incidents(platform_of(state).engine, caller.viewer, flt)

    @post("/", sync_to_thread=True, summary="Declare an incident")
    def declare(self, state: State, caller: Caller, data: s.IncidentBody) -> IncidentView:
        platform = platform_of(state)
        command = c.DeclareIncident(
            actor=caller.actor,
            title=data.title,
            hazard=data.hazard,
            description=data.description,
            lead_partner_id=data.lead_partner_id,
            area=ip.area(data.area),
            buffer=ip.buffer(data.buffer),
            location=ip.point(data.location),
            involved=frozenset(data.involved),
            marking=Tlp(data.marking),
            audience=parse.audience(data.audience),
            languages=tuple(data.languages),
            occurred_at=data.occurred_at,
            mode=Mode(data.mode),
        )
        incident_id = platform.bus.handle(command)
        return q.get_incident(platform.engine, caller.viewer, incident_id)

    @get("/{incident_id:uuid}", sync_to_thread=True, summary="One incident, with each country's level")
    def get_incident(self, state: State, caller: Caller, incident_id: uuid.UUID) -> IncidentView:
        platform = platform_of(state)
        viewer = caller.viewer
        return platform.read_cache.get(
            ("incident", incident_id, viewer), lambda: q.get_incident(platform.engine, viewer, incident_id)
        )

    @get("/{incident_id:uuid}/area", sync_to_thread=True, summary="The affected area, as a GeoJSON feature")
    def area(self, state: State, caller: Caller, incident_id: uuid.UUID) -> dict[str, object]:
        incident = q.get_incident(platform_of(state).engine, caller.viewer, incident_id)
        return {
            "type": "Feature",
            "id": f"incident:{incident.id}",
            "geometry": incident.area,
            "properties": {"title": incident.title, "hazard": incident.hazard, "marking": incident.marking},
        }

    @patch("/{incident_id:uuid}", sync_to_thread=True, summary="Change an incident (send expected_version)")
    def update(
        self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.IncidentPatch
    ) -> IncidentView:
        platform = platform_of(state)
        command = c.UpdateIncident(
            actor=caller.actor,
            incident_id=incident_id,
            expected_version=data.expected_version,
            title=data.title,
            description=data.description,
            area=ip.area(data.area),
            involved=frozenset(data.involved) if data.involved is not None else None,
            languages=tuple(data.languages) if data.languages is not None else None,
            marking=Tlp(data.marking) if data.marking is not None else None,
            audience=parse.audience(data.audience) if data.audience is not None else None,
        )
        platform.bus.handle(command)
        return q.get_incident(platform.engine, caller.viewer, incident_id)

    @post("/{incident_id:uuid}/levels", sync_to_thread=True, summary="Set your country's escalation level")
    def set_level(
        self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.LevelBody
    ) -> IncidentView:
        platform = platform_of(state)
        platform.bus.handle(
            c.SetLevel(
                actor=caller.actor,
                incident_id=incident_id,
                country=data.country,
                level=data.level,
                reason=data.reason,
                at=data.at,
            )
        )
        return q.get_incident(platform.engine, caller.viewer, incident_id)

    @post("/{incident_id:uuid}/status", sync_to_thread=True, summary="De-escalate, close or reopen")
    def change_status(
        self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.StatusBody
    ) -> IncidentView:
        platform = platform_of(state)
        platform.bus.handle(
            c.ChangeIncidentStatus(
                actor=caller.actor,
                incident_id=incident_id,
                status=IncidentStatus(data.status),
                reason=data.reason,
            )
        )
        return q.get_incident(platform.engine, caller.viewer, incident_id)

    @post("/{incident_id:uuid}/neighbours", sync_to_thread=True, summary="Apply the border rule again now")
    def notify_neighbours(
        self, state: State, caller: Caller, incident_id: uuid.UUID
    ) -> s.NeighbourCheckResult:
        notified = platform_of(state).bus.handle(
            c.NotifyNeighbours(actor=caller.actor, incident_id=incident_id)
        )
        return s.NeighbourCheckResult(notified=list(notified))

    @get(
        "/{incident_id:uuid}/notifications", sync_to_thread=True, summary="Neighbours told, and who answered"
    )
    def notifications(self, state: State, caller: Caller, incident_id: uuid.UUID) -> list[NotificationView]:
        return q.notifications(platform_of(state).engine, caller.viewer, incident_id)

    @get("/{incident_id:uuid}/timeline", sync_to_thread=True, summary="The timeline, newest first, by page")
    def timeline(
        self,
        state: State,
        caller: Caller,
        incident_id: uuid.UUID,
        before: datetime | None = None,
        before_id: Annotated[str | None, Parameter(max_length=80)] = None,
        limit: Limit = 50,
    ) -> list[TimelineItem]:
        cursor = ip.cursor(before, before_id)
        return tl.timeline(platform_of(state).engine, caller.viewer, incident_id, before=cursor, limit=limit)

    @get(
        "/{incident_id:uuid}/changes",
        sync_to_thread=True,
        summary="What was recorded or changed since a time",
    )
    def changes(
        self,
        state: State,
        caller: Caller,
        incident_id: uuid.UUID,
        since: datetime | None = None,
        limit: Limit = 500,
    ) -> list[TimelineItem]:
        # Optional in the signature so that an anonymous caller hears 401 before any 400.
        if since is None:
            raise InvalidInput("give ?since= as a time with its offset, e.g. 2026-11-27T08:00:00+01:00")
        since = ip.aware(since, "since")
        return tl.changes_since(platform_of(state).engine, caller.viewer, incident_id, since, limit=limit)

    @get("/{incident_id:uuid}/log", sync_to_thread=True, summary="The common log, newest first")
    def log(
        self,
        state: State,
        caller: Caller,
        incident_id: uuid.UUID,
        before: datetime | None = None,
        before_id: uuid.UUID | None = None,
        limit: Limit = 100,
    ) -> list[LogEntryView]:
        cursor = (ip.aware(before, "before"), before_id) if before else None
        return q.log_entries(
            platform_of(state).engine, caller.viewer, incident_id, before=cursor, limit=limit
        )

    @get(
        "/{incident_id:uuid}/log/export.csv",
        sync_to_thread=True,
        summary="Export the log you may see, as CSV",
    )
    def export_log(self, state: State, caller: Caller, incident_id: uuid.UUID) -> Response[str]:
        platform = platform_of(state)
        rows = q.all_log_entries(platform.engine, caller.viewer, incident_id)
        return Response(
            log_csv(rows),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="incident-{incident_id}-log.csv"'},
        )

    @post("/{incident_id:uuid}/log", sync_to_thread=True, summary="Add to the common log")
    def add_log_entry(
        self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.LogEntryBody
    ) -> LogEntryView:
        platform = platform_of(state)
        entry_id = platform.bus.handle(
            c.AddLogEntry(
                actor=caller.actor,
                incident_id=incident_id,
                kind=EntryKind(data.kind),
                text=data.text,
                occurred_at=data.occurred_at,
                marking=Tlp(data.marking) if data.marking else None,
                audience=parse.audience(data.audience) if data.audience is not None else None,
                decided_by=data.decided_by,
                basis=data.basis,
                corrects=data.corrects,
            )
        )
        return q.get_log_entry(platform.engine, caller.viewer, entry_id)

    @get("/{incident_id:uuid}/tasks", sync_to_thread=True, summary="Tasks, by due time; overdue ones flagged")
    def tasks(
        self, state: State, caller: Caller, incident_id: uuid.UUID, overdue: bool = False
    ) -> list[TaskView]:
        platform = platform_of(state)
        return q.tasks(
            platform.engine, caller.viewer, incident_id, platform.clock.now(), overdue_only=overdue
        )

    @post("/{incident_id:uuid}/tasks", sync_to_thread=True, summary="Assign a task to a partner or a person")
    def assign_task(self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.TaskBody) -> TaskView:
        platform = platform_of(state)
        task_id = platform.bus.handle(
            c.AssignTask(
                actor=caller.actor,
                incident_id=incident_id,
                title=data.title,
                due_at=ip.aware(data.due_at, "due_at"),
                assignee_partner_id=data.assignee_partner_id,
                assignee_user_id=data.assignee_user_id,
                details=data.details,
                marking=Tlp(data.marking) if data.marking else None,
                audience=parse.audience(data.audience) if data.audience is not None else None,
            )
        )
        return q.get_task(platform.engine, caller.viewer, task_id, platform.clock.now())


class TaskController(Controller):
    path = "/api/tasks"
    tags = ["incidents"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/{task_id:uuid}", sync_to_thread=True, summary="One task")
    def get_task(self, state: State, caller: Caller, task_id: uuid.UUID) -> TaskView:
        platform = platform_of(state)
        return q.get_task(platform.engine, caller.viewer, task_id, platform.clock.now())

    @patch("/{task_id:uuid}", sync_to_thread=True, summary="Move a task (send expected_version)")
    def move(self, state: State, caller: Caller, task_id: uuid.UUID, data: s.TaskPatch) -> TaskView:
        platform = platform_of(state)
        platform.bus.handle(
            c.MoveTask(
                actor=caller.actor,
                task_id=task_id,
                status=ip.task_status(data.status),
                expected_version=data.expected_version,
            )
        )
        return q.get_task(platform.engine, caller.viewer, task_id, platform.clock.now())


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["incidents"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="What your partner was told about by its neighbours")
    def inbox(self, state: State, caller: Caller) -> list[NotificationView]:
        partner = caller.actor.partner_id
        if partner is None:
            return []
        return q.notifications_for(platform_of(state).engine, caller.viewer, partner)

    @post("/{notification_id:uuid}/acknowledge", sync_to_thread=True, summary="Acknowledge a notification")
    def acknowledge(self, state: State, caller: Caller, notification_id: uuid.UUID) -> NotificationView:
        platform = platform_of(state)
        platform.bus.handle(c.AcknowledgeNotification(actor=caller.actor, notification_id=notification_id))
        return q.get_notification(platform.engine, caller.viewer, notification_id)
