"""Request bodies of the incidents API. Unknown fields are refused, sizes bounded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from crisislink.entrypoints.web.api.schemas import (
    AudienceBody,
    GeoJsonGeometry,
    Language,
    Languages,
    Marking,
    Strict,
    Version,
)

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
Hazard = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
Partners = Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)]
Audience = Annotated[list[AudienceBody], msgspec.Meta(max_length=200)]


class PointBody(Strict):
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]


class BufferBody(Strict):
    centre: PointBody
    radius_m: Annotated[float, msgspec.Meta(gt=0, le=200_000)]


class IncidentBody(Strict):
    title: Title
    hazard: Hazard
    lead_partner_id: uuid.UUID
    description: LongText = ""
    area: GeoJsonGeometry | None = None
    buffer: BufferBody | None = None
    location: PointBody | None = None
    involved: Partners = msgspec.field(default_factory=list)
    marking: Marking = "GREEN"
    audience: Audience = msgspec.field(default_factory=list)
    languages: Languages = msgspec.field(default_factory=list)
    occurred_at: datetime | None = None
    mode: Literal["live", "exercise", "replay"] = "live"


class IncidentPatch(Strict):
    expected_version: Version
    title: Title | None = None
    description: LongText | None = None
    area: GeoJsonGeometry | None = None
    involved: Partners | None = None
    languages: Languages | None = None
    marking: Marking | None = None
    audience: Audience | None = None


class LevelBody(Strict):
    country: Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
    level: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    at: datetime | None = None


class StatusBody(Strict):
    status: Literal["active", "de_escalating", "closed"]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class LogEntryBody(Strict):
    kind: Literal["information", "decision", "action", "request"]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    occurred_at: datetime | None = None
    marking: Marking | None = None
    audience: Audience | None = None
    decided_by: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    basis: LongText | None = None
    corrects: uuid.UUID | None = None


class TaskBody(Strict):
    title: Title
    due_at: datetime
    assignee_partner_id: uuid.UUID
    assignee_user_id: uuid.UUID | None = None
    details: LongText = ""
    marking: Marking | None = None
    audience: Audience | None = None


class TaskPatch(Strict):
    expected_version: Version
    status: Literal["open", "in_progress", "done", "cancelled"]


class SitrepTextBody(Strict):
    situation: LongText
    casualties: LongText = ""
    resources: LongText = ""
    actions: LongText = ""
    outlook: LongText = ""


class FiguresBody(Strict):
    dead: Count = 0
    injured: Count = 0
    missing: Count = 0
    evacuated: Count = 0
    displaced: Count = 0


class SitrepBody(Strict):
    texts: Annotated[dict[Language, SitrepTextBody], msgspec.Meta(min_length=1, max_length=10)]
    figures: FiguresBody = msgspec.field(default_factory=FiguresBody)
    next_report_at: datetime | None = None
    marking: Marking | None = None
    audience: Audience | None = None


class SitrepPatch(Strict):
    expected_version: Version
    texts: Annotated[dict[Language, SitrepTextBody], msgspec.Meta(min_length=1, max_length=10)]
    figures: FiguresBody = msgspec.field(default_factory=FiguresBody)
    next_report_at: datetime | None = None


class PublishBody(Strict):
    at: datetime | None = None


class NeighbourCheckResult(msgspec.Struct):
    notified: list[uuid.UUID]
