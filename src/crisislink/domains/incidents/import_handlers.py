"""Importing an incident with its log, tasks and figures: all of it, or nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.handlers import IncidentRules, Now, declare_incident
from crisislink.domains.incidents.log_handlers import add_log_entry, assign_task
from crisislink.domains.incidents.ports import (
    BorderRule,
    Geometry,
    IncidentsUnitOfWork,
)
from crisislink.domains.incidents.sitrep_handlers import draft_sitrep
from crisislink.kernel.deferred import deferring_commits


def import_incident(
    cmd: c.ImportIncident,
    uow: IncidentsUnitOfWork,
    geometry: Geometry,
    border: BorderRule,
    now: Now,
    rules: IncidentRules,
) -> uuid.UUID:
    batch = deferring_commits(uow)
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
