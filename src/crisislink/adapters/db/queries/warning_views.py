"""What the API and the console show of public warnings (read models, JSON-ready)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from crisislink.adapters.db.queries.views import AudienceMember


class WarningSummary(msgspec.Struct, frozen=True):
    id: uuid.UUID
    state: str
    status: str  # CAP status: Actual, Exercise, Test, System
    hazard: dict[str, Any]
    severity: str
    headline: str  # in the first language the warning carries
    countries: list[str]
    incident_id: uuid.UUID | None
    owner_partner_id: uuid.UUID
    marking: str
    onset: datetime
    expires: datetime
    revision: int
    pending_approvals: list[str]
    updated_at: datetime
    version: int


class MessageView(msgspec.Struct, frozen=True):
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    references: list[dict[str, Any]]
    revision: int
    note: str
    languages: list[str]


class WarningView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    state: str
    status: str
    incident_id: uuid.UUID | None
    hazard: dict[str, Any]
    severity: str
    urgency: str
    certainty: str
    awareness_level: str | None
    response_types: list[str]
    texts: dict[str, Any]
    languages: list[str]
    missing_languages: list[str]
    onset: datetime
    expires: datetime
    area: dict[str, Any]
    area_description: str
    targeting: dict[str, Any]
    revision: int
    issued_revision: int
    approvals: dict[str, Any]
    pending_approvals: list[str]
    comments: list[dict[str, Any]]
    parts: dict[str, Any]
    messages: list[MessageView]
    marking: str
    audience: list[AudienceMember]
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    version: int


class DeliveryView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    identifier: str
    country: str | None
    channel: str
    status: str  # pending | delivered | failed | refused
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    receipt: str | None
    created_at: datetime
    finished_at: datetime | None
