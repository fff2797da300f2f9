"""Request bodies of the datasets API. Unknown fields are refused, sizes bounded."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec

from crisislink.domains.datasets.model import MAX_SERIES, MAX_THRESHOLDS
from crisislink.entrypoints.web.api.incident_schemas import Audience, PointBody
from crisislink.entrypoints.web.api.schemas import Marking, Strict, Version

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Kind = Literal[
    "river_gauge", "hospital_capacity", "closures", "shelter_capacity", "power_outages", "sensor_readings"
]
RefreshSeconds = Annotated[int, msgspec.Meta(ge=1, le=366 * 86_400)]
SeriesKey = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
Description = Annotated[str, msgspec.Meta(max_length=20_000)]


class ThresholdBody(Strict):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    level: float
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class SeriesBody(Strict):
    key: SeriesKey
    name: Title
    unit: Annotated[str, msgspec.Meta(max_length=40)] = ""
    thresholds: Annotated[list[ThresholdBody], msgspec.Meta(max_length=MAX_THRESHOLDS)] = msgspec.field(
        default_factory=list
    )
    location: PointBody | None = None


SeriesList = Annotated[list[SeriesBody], msgspec.Meta(min_length=1, max_length=MAX_SERIES)]


class DatasetBody(Strict):
    title: Title
    kind: Kind
    record_schema: dict[str, Any]
    contact_point_id: uuid.UUID
    refresh_seconds: RefreshSeconds
    series: SeriesList
    description: Description = ""
    owner_partner_id: uuid.UUID | None = None
    marking: Marking = "GREEN"
    audience: Audience = msgspec.field(default_factory=list)
    synthetic: bool = False


class DatasetPatch(Strict):
    expected_version: Version
    title: Title | None = None
    description: Description | None = None
    contact_point_id: uuid.UUID | None = None
    refresh_seconds: RefreshSeconds | None = None
    series: SeriesList | None = None
    marking: Marking | None = None
    audience: Audience | None = None


class FollowState(msgspec.Struct, frozen=True):
    dataset_id: uuid.UUID
    following: bool
