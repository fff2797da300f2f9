"""What happened to incidents. Each event carries the label of the record it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class IncidentDeclared(Event):
    TYPE = "crisislink.incidents.declared"
    incident_id: uuid.UUID
    title: str
    hazard: str
    lead_partner_id: uuid.UUID
    mode: str


@dataclass(frozen=True, kw_only=True)
class IncidentUpdated(Event):
    TYPE = "crisislink.incidents.updated"
    incident_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class IncidentRelabelled(Event):
    """Sent under the old label, so those who could see the incident learn it left their view."""

    TYPE = "crisislink.incidents.relabelled"
    incident_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class IncidentStatusChanged(Event):
    TYPE = "crisislink.incidents.status_changed"
    incident_id: uuid.UUID
    status: str
    previous: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LevelChanged(Event):
    TYPE = "crisislink.incidents.level_changed"
    incident_id: uuid.UUID
    country: str
    level: str
    previous: str | None
    at: datetime
    by_partner_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class LogEntryAdded(Event):
    TYPE = "crisislink.incidents.log_entry_added"
    incident_id: uuid.UUID
    entry_id: uuid.UUID
    kind: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TaskAssigned(Event):
    TYPE = "crisislink.incidents.task_assigned"
    incident_id: uuid.UUID
    task_id: uuid.UUID
    assignee_partner_id: uuid.UUID
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class TaskStatusChanged(Event):
    TYPE = "crisislink.incidents.task_status_changed"
    incident_id: uuid.UUID
    task_id: uuid.UUID
    status: str
    previous: str


@dataclass(frozen=True, kw_only=True)
class SitrepDrafted(Event):
    TYPE = "crisislink.incidents.sitrep_drafted"
    incident_id: uuid.UUID
    sitrep_id: uuid.UUID
    number: int


@dataclass(frozen=True, kw_only=True)
class SitrepRevised(Event):
    TYPE = "crisislink.incidents.sitrep_revised"
    incident_id: uuid.UUID
    sitrep_id: uuid.UUID
    number: int


@dataclass(frozen=True, kw_only=True)
class SitrepScheduled(Event):
    TYPE = "crisislink.incidents.sitrep_scheduled"
    incident_id: uuid.UUID
    sitrep_id: uuid.UUID
    number: int
    publish_at: datetime


@dataclass(frozen=True, kw_only=True)
class SitrepPublished(Event):
    TYPE = "crisislink.incidents.sitrep_published"
    incident_id: uuid.UUID
    sitrep_id: uuid.UUID
    number: int
    missing_languages: tuple[str, ...]
    next_report_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SitrepDue(Event):
    """A reminder: the next situation report is due soon."""

    TYPE = "crisislink.incidents.sitrep_due"
    incident_id: uuid.UUID
    sitrep_id: uuid.UUID
    next_report_at: datetime


@dataclass(frozen=True, kw_only=True)
class NeighboursChecked(Event):
    TYPE = "crisislink.incidents.neighbours_checked"
    incident_id: uuid.UUID
    triggered: bool
    explanation: str
    notified: tuple[uuid.UUID, ...]
    held: bool  # True when the incident's marking keeps it from being sent to other organisations


@dataclass(frozen=True, kw_only=True)
class NeighbourNotified(Event):
    TYPE = "crisislink.incidents.neighbour_notified"
    notification_id: uuid.UUID
    incident_id: uuid.UUID
    partner_id: uuid.UUID
    contact_point_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class NotificationEscalated(Event):
    TYPE = "crisislink.incidents.notification_escalated"
    notification_id: uuid.UUID
    incident_id: uuid.UUID
    partner_id: uuid.UUID
    step: int
    contact_point_id: uuid.UUID
    status: str


@dataclass(frozen=True, kw_only=True)
class NotificationAcknowledged(Event):
    TYPE = "crisislink.incidents.notification_acknowledged"
    notification_id: uuid.UUID
    incident_id: uuid.UUID
    partner_id: uuid.UUID
    by_user_id: uuid.UUID


ALL_EVENTS: tuple[type[Event], ...] = (
    IncidentDeclared,
    IncidentUpdated,
    IncidentRelabelled,
    IncidentStatusChanged,
    LevelChanged,
    LogEntryAdded,
    TaskAssigned,
    TaskStatusChanged,
    SitrepDrafted,
    SitrepRevised,
    SitrepScheduled,
    SitrepPublished,
    SitrepDue,
    NeighboursChecked,
    NeighbourNotified,
    NotificationEscalated,
    NotificationAcknowledged,
)
