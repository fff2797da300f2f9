"""Read models of the incidents capability, served as JSON as they are."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from crisislink.adapters.db.queries.views import AudienceMember


class LevelView(msgspec.Struct, frozen=True):
    country: str
    level: str
    previous: str | None
    at: datetime
    recorded_at: datetime
    by_user_id: uuid.UUID | None
    by_partner_id: uuid.UUID | None
    reason: str


class IncidentSummary(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    hazard: str
    status: str
    mode: str
    marking: str
    owner_partner_id: uuid.UUID
    lead_partner_id: uuid.UUID
    occurred_at: datetime
    declared_at: datetime
    updated_at: datetime
    levels: list[LevelView]  # each country's current level
    version: int


class IncidentView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    hazard: str
    description: str
    status: str
    mode: str
    marking: str
    audience: list[AudienceMember]
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    lead_partner_id: uuid.UUID
    involved: list[uuid.UUID]
    languages: list[str]
    area: dict[str, Any]
    location: list[float] | None
    occurred_at: datetime
    declared_at: datetime
    declared_by: uuid.UUID | None
    updated_at: datetime
    reference: str | None
    levels: list[LevelView]  # each country's current level
    level_history: list[LevelView]
    version: int


class TimelineItem(msgspec.Struct, frozen=True):
    """One line of an incident's timeline; `details` depends on `kind`."""

    kind: str  # level | log | task | sitrep | notification
    id: str
    at: datetime  # when it happened (or is due, for a task)
    recorded_at: datetime  # when the platform last recorded a change to it
    owner_partner_id: uuid.UUID | None
    marking: str
    summary: str
    details: dict[str, Any]


class LogEntryView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    incident_id: uuid.UUID
    owner_partner_id: uuid.UUID
    marking: str
    kind: str
    text: str
    occurred_at: datetime
    recorded_at: datetime
    author_user_id: uuid.UUID | None
    decided_by: str | None
    basis: str | None
    corrects: uuid.UUID | None
    source: str | None


class TaskView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    incident_id: uuid.UUID
    owner_partner_id: uuid.UUID
    marking: str
    title: str
    details: str
    assignee_partner_id: uuid.UUID
    assignee_user_id: uuid.UUID | None
    due_at: datetime
    created_at: datetime
    status: str
    overdue: bool
    updated_at: datetime
    version: int


class SitrepView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    incident_id: uuid.UUID
    owner_partner_id: uuid.UUID
    marking: str
    number: int
    author_user_id: uuid.UUID | None
    status: str
    texts: dict[str, dict[str, str]]
    figures: dict[str, int]
    languages_required: list[str]
    missing_languages: list[str]
    created_at: datetime
    publish_at: datetime | None
    published_at: datetime | None
    next_report_at: datetime | None
    updated_at: datetime
    version: int


class NotificationView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    incident_id: uuid.UUID
    incident_title: str
    incident_mode: str
    owner_partner_id: uuid.UUID
    partner_id: uuid.UUID
    reason: str
    chain: list[uuid.UUID]
    step: int
    contact_point_id: uuid.UUID
    status: str
    sent_at: datetime
    escalate_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    version: int
