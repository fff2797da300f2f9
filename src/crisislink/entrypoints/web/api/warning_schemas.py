"""Request bodies of the public-warnings API. Unknown fields are refused, sizes bounded.

An area is given one way: `area` (GeoJSON drawn on the map or uploaded), `cap_area` (the polygons and
circles of a CAP message, latitude first), `units` (municipalities, safety regions, provinces, cantons or
countries by code) or `emma_ids` (MeteoAlarm regions).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from crisislink.entrypoints.web.api.schemas import AudienceBody, GeoJsonGeometry, Marking, Strict

Short = Annotated[str, msgspec.Meta(max_length=500)]
Headline = Annotated[str, msgspec.Meta(min_length=1, max_length=160)]
Text = Annotated[str, msgspec.Meta(max_length=4_000)]
LanguageCode = Annotated[str, msgspec.Meta(min_length=2, max_length=3)]
Country = Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
Revision = Annotated[int, msgspec.Meta(ge=1)]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
Category = Literal[
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
]
Response = Literal[
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"
]
Status = Literal["Actual", "Exercise", "System", "Test"]
CapText = Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]


class TextBody(Strict):
    headline: Headline
    description: Text
    instruction: Text
    web: Short | None = None
    contact: Short | None = None


class CapAreaBody(Strict):
    polygons: Annotated[list[CapText], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)
    circles: Annotated[list[Short], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)


class UnitBody(Strict):
    layer: Literal["municipalities", "regions", "countries"]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class AreaBody(Strict):
    """Exactly one of the four."""

    area: GeoJsonGeometry | None = None
    cap_area: CapAreaBody | None = None
    units: Annotated[list[UnitBody], msgspec.Meta(max_length=500)] | None = None
    emma_ids: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=10)]], msgspec.Meta(max_length=500)] | None
    ) = None


class WarningBody(AreaBody, kw_only=True):
    hazard: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    category: Category
    awareness_type: Annotated[int, msgspec.Meta(ge=1, le=15)] | None = None
    severity: Severity
    urgency: Urgency
    certainty: Certainty
    onset: datetime
    expires: datetime
    area_description: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    texts: dict[LanguageCode, TextBody] = msgspec.field(default_factory=dict)
    response_types: Annotated[list[Response], msgspec.Meta(max_length=9)] = msgspec.field(
        default_factory=list
    )
    status: Status = "Actual"
    incident_id: uuid.UUID | None = None
    marking: Marking = "AMBER"
    audience: Annotated[list[AudienceBody], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


class WarningPatch(AreaBody, kw_only=True):
    """Send the revision you read; fields left out stay as they are."""

    expected_revision: Revision
    texts: dict[LanguageCode, TextBody] = msgspec.field(default_factory=dict)
    remove_languages: Annotated[list[LanguageCode], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    hazard: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] | None = None
    category: Category | None = None
    awareness_type: Annotated[int, msgspec.Meta(ge=1, le=15)] | None = None
    severity: Severity | None = None
    urgency: Urgency | None = None
    certainty: Certainty | None = None
    response_types: Annotated[list[Response], msgspec.Meta(max_length=9)] | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    area_description: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class TemplateBody(Strict):
    expected_revision: Revision
    values: dict[Annotated[str, msgspec.Meta(max_length=40)], Short] = msgspec.field(default_factory=dict)
    languages: Annotated[list[LanguageCode], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )


class CommentBody(Strict):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4_000)]


class DecisionBody(Strict):
    """`revision` is the revision you read: a decision is about what you saw."""

    country: Country
    revision: Revision
    comment: Annotated[str, msgspec.Meta(max_length=4_000)] = ""


class ScheduleBody(Strict):
    times: dict[Country, datetime]


class IssueBody(Strict):
    countries: Annotated[list[Country], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)


class UpdateBody(Strict):
    note: Annotated[str, msgspec.Meta(max_length=1_000)] = ""


class CancelBody(Strict):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1_000)]
