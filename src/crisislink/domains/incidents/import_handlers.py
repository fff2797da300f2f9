"""Importing an incident with its log, tasks and figures: all of it, or nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.handlers import IncidentRules, Now, declare_incident
from crisislink.domains.incidents.log_handlers import add_log_entry, assign_task
from crisislink.domains.incidents.ports import (
    BorderRule,
    Directory,
    Geometry,
    IncidentRepository,
    IncidentsUnitOfWork,
    LogRepository,
    NotificationRepository,
    SitrepRepository,
    TaskRepository,
)
from crisislink.domains.incidents.sitrep_handlers import draft_sitrep


class _OneTransaction:
    """The unit of work seen by the handlers an import reuses: their commits wait for the import's own."""

    def __init__(self, uow: IncidentsUnitOfWork) -> None:
        self._uow = uow

    @property
    def incidents(self) -> IncidentRepository:
        return self._uow.incidents

    @property
    def log(self) -> LogRepository:
        return self._uow.log

    @property
    def tasks(self) -> TaskRepository:
        return self._uow.tasks

    @property
    def sitreps(self) -> SitrepRepository:
        return self._uow.sitreps

    @property
    def notifications(self) -> NotificationRepository:
        return self._uow.notifications

    @property
    def directory(self) -> Directory:
        return self._uow.directory

    @property
    def node_id(self) -> uuid.UUID:
        return self._uow.node_id

    def commit(self) -> None:
        """Deferred: the import commits once, after its last part."""


def import_incident(
    cmd: c.ImportIncident,
    uow: IncidentsUnitOfWork,
    geometry: Geometry,
    border: BorderRule,
    now: Now,
    rules: IncidentRules,
) -> uuid.UUID:
    batch = _OneTransaction(uow)
    actor = cmd.actor
    incident_id = declare_incident(replace(cmd.declaration, actor=actor), batch, geometry, border, now, rules)
    for entry in cmd.entries:
        add_log_entry(replace(entry, actor=actor, incident_id=incident_id), batch, now)
    for task in cmd.tasks:
        assign_task(replace(task, actor=actor, incident_id=incident_id), batch, now)
    if cmd.sitrep is not None:
        draft_sitrep(replace(cmd.sitrep, actor=actor, incident_id=incident_id), batch, now)
    uow.commit()
    return incident_id
