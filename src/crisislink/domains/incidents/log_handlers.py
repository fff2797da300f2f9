"""Command handlers for the common log and tasks."""

from __future__ import annotations

import uuid

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import events as e
from crisislink.domains.incidents.handlers import Now, aware
from crisislink.domains.incidents.labels import check_audience, child_label
from crisislink.domains.incidents.model import MAX_TITLE, LogEntry, Task, TaskStatus, text
from crisislink.domains.incidents.permissions import require_party, require_writer
from crisislink.domains.incidents.ports import IncidentsUnitOfWork
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.ids import new_id


def add_log_entry(cmd: c.AddLogEntry, uow: IncidentsUnitOfWork, now: Now) -> uuid.UUID:
    incident = uow.incidents.get(cmd.incident_id)
    require_party(cmd.actor, incident)
    incident.require_open()
    check_audience(uow.directory, cmd.audience or ())
    if cmd.corrects is not None:
        _require_same_incident(uow, cmd.corrects, incident.id)
    moment = now()
    occurred = aware(cmd.occurred_at, "the time it happened") if cmd.occurred_at else moment
    if occurred > moment:
        raise InvalidInput("a log entry records what happened; it cannot happen in the future")
    entry = LogEntry(
        id=new_id(),
        label=child_label(cmd.actor, incident, uow.node_id, cmd.marking, cmd.audience),
        incident_id=incident.id,
        kind=cmd.kind,
        text=text(cmd.text, "the log entry"),
        occurred_at=occurred,
        recorded_at=moment,
        author_user_id=cmd.actor.user_id,
        decided_by=(cmd.decided_by or "").strip() or None,
        basis=(cmd.basis or "").strip() or None,
        corrects=cmd.corrects,
        source=cmd.source,
    )
    entry.record(
        e.LogEntryAdded(
            label=entry.label,
            incident_id=incident.id,
            entry_id=entry.id,
            kind=entry.kind.value,
            occurred_at=entry.occurred_at,
        )
    )
    uow.log.add(entry)
    uow.commit()
    return entry.id


def _require_same_incident(uow: IncidentsUnitOfWork, entry_id: uuid.UUID, incident_id: uuid.UUID) -> None:
    try:
        corrected = uow.log.get(entry_id)
    except NotFound:
        raise InvalidInput(f"the entry to correct ({entry_id}) does not exist") from None
    if corrected.incident_id != incident_id:
        raise InvalidInput("a correction must belong to the same incident as the entry it corrects")


def assign_task(cmd: c.AssignTask, uow: IncidentsUnitOfWork, now: Now) -> uuid.UUID:
    incident = uow.incidents.get(cmd.incident_id)
    require_party(cmd.actor, incident)
    incident.require_open()
    check_audience(uow.directory, cmd.audience or ())
    if uow.directory.partner(cmd.assignee_partner_id) is None:
        raise InvalidInput(f"no partner with id {cmd.assignee_partner_id} to assign the task to")
    if cmd.assignee_user_id is not None and (
        uow.directory.partner_of_user(cmd.assignee_user_id) != cmd.assignee_partner_id
    ):
        raise InvalidInput("the person the task is assigned to must belong to the assigned partner")
    moment = now()
    task = Task(
        id=new_id(),
        label=child_label(cmd.actor, incident, uow.node_id, cmd.marking, cmd.audience),
        incident_id=incident.id,
        title=text(cmd.title, "the task", MAX_TITLE),
        details=cmd.details.strip(),
        assignee_partner_id=cmd.assignee_partner_id,
        assignee_user_id=cmd.assignee_user_id,
        due_at=aware(cmd.due_at, "the due time"),
        created_at=moment,
        created_by=cmd.actor.user_id,
        status=_initial_status(cmd.status),
    )
    task.record(
        e.TaskAssigned(
            label=task.label,
            incident_id=incident.id,
            task_id=task.id,
            assignee_partner_id=task.assignee_partner_id,
            due_at=task.due_at,
        )
    )
    uow.tasks.add(task)
    uow.commit()
    return task.id


def _initial_status(status: TaskStatus) -> TaskStatus:
    if status not in {TaskStatus.OPEN, TaskStatus.IN_PROGRESS}:
        raise InvalidInput(f"a new task is open or in progress, not {status}")
    return status


def move_task(cmd: c.MoveTask, uow: IncidentsUnitOfWork, now: Now) -> None:
    task = uow.tasks.get(cmd.task_id)
    incident = uow.incidents.get(task.incident_id)
    # The partner a task is assigned to may move it, like the parties; either way it takes a writer's role.
    require_writer(cmd.actor, incident.mode)
    if cmd.actor.partner_id != task.assignee_partner_id:
        require_party(cmd.actor, incident)
    check_version(task, cmd.expected_version, "task")
    previous = task.move(cmd.status, now())
    task.record(
        e.TaskStatusChanged(
            label=task.label,
            incident_id=task.incident_id,
            task_id=task.id,
            status=task.status.value,
            previous=previous.value,
        )
    )
    uow.commit()
