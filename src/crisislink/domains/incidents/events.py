"""What happened to incidents. Each event carries the label of the record it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class IncidentEvent(Event):
    """Every event of this capability is about one incident, which a reader must also be allowed to see."""

    CONTEXT = "incident_id"
    incident_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class IncidentDeclared(IncidentEvent):
    TYPE = "crisislink.incidents.declared"
    title: str
    hazard: str
    lead_partner_id: uuid.UUID
    mode: str


@dataclass(frozen=True, kw_only=True)
class IncidentUpdated(IncidentEvent):
    TYPE = "crisislink.incidents.updated"
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class IncidentRelabelled(IncidentEvent):
    """Sent under the old label, so those who could see the incident learn it left their view."""

    TYPE = "crisislink.incidents.relabelled"


@dataclass(frozen=True, kw_only=True)
class IncidentStatusChanged(IncidentEvent):
    TYPE = "crisislink.incidents.status_changed"
    status: str
    previous: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LevelChanged(IncidentEvent):
    TYPE = "crisislink.incidents.level_changed"
    country: str
    level: str
    previous: str | None
    at: datetime
    by_partner_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class LogEntryAdded(IncidentEvent):
    TYPE = "crisislink.incidents.log_entry_added"
    entry_id: uuid.UUID
    kind: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TaskAssigned(IncidentEvent):
    TYPE = "crisislink.incidents.task_assigned"
    task_id: uuid.UUID
    assignee_partner_id: uuid.UUID
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class TaskStatusChanged(IncidentEvent):
    TYPE = "crisislink.incidents.task_status_changed"
    task_id: uuid.UUID
    status: str
    previous: str


@dataclass(frozen=True, kw_only=True)
class SitrepDrafted(IncidentEvent):
    TYPE = "crisislink.incidents.sitrep_drafted"
    sitrep_id: uuid.UUID
    number: int


@dataclass(frozen=True, kw_only=True)
class SitrepRevised(IncidentEvent):
    TYPE = "crisislink.incidents.sitrep_revised"
    sitrep_id: uuid.UUID
    number: int


@dataclass(frozen=True, kw_only=True)
class SitrepScheduled(IncidentEvent):
    TYPE = "crisislink.incidents.sitrep_scheduled"
    sitrep_id: uuid.UUID
    number: int
    publish_at: datetime


@dataclass(frozen=True, kw_only=True)
class SitrepPublished(IncidentEvent):
    TYPE = "crisislink.incidents.sitrep_published"
    sitrep_id: uuid.UUID
    number: int
    missing_languages: tuple[str, ...]
    next_report_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SitrepDue(IncidentEvent):
    """A reminder: the next situation report is due soon."""

    TYPE = "crisislink.incidents.sitrep_due"
    sitrep_id: uuid.UUID
    next_report_at: datetime


@dataclass(frozen=True, kw_only=True)
class NeighboursChecked(IncidentEvent):
    TYPE = "crisislink.incidents.neighbours_checked"
    triggered: bool
    explanation: str
    notified: tuple[uuid.UUID, ...]
    held: bool  # True when the incident's marking keeps it from being sent to other organisations


@dataclass(frozen=True, kw_only=True)
class NeighbourNotified(IncidentEvent):
    TYPE = "crisislink.incidents.neighbour_notified"
    notification_id: uuid.UUID
    partner_id: uuid.UUID
    contact_point_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class NotificationEscalated(IncidentEvent):
    TYPE = "crisislink.incidents.notification_escalated"
    notification_id: uuid.UUID
    partner_id: uuid.UUID
    step: int
    contact_point_id: uuid.UUID
    status: str


@dataclass(frozen=True, kw_only=True)
class NotificationAcknowledged(IncidentEvent):
    TYPE = "crisislink.incidents.notification_acknowledged"
    notification_id: uuid.UUID
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
