"""Read models of the datasets capability, served as JSON as they are."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from crisislink.adapters.db.queries.views import AudienceMember, ChannelView


class ContactSummary(msgspec.Struct, frozen=True):
    """Who to call about the data: shown only to those the contact's own marking allows."""

    id: uuid.UUID
    name: str
    role: str
    channels: list[ChannelView]
    languages: list[str]
    marking: str


class ThresholdView(msgspec.Struct, frozen=True):
    name: str
    level: float
    note: str


class SeriesView(msgspec.Struct, frozen=True):
    key: str
    name: str
    unit: str
    thresholds: list[ThresholdView]
    location: list[float] | None  # [lon, lat]: where it is measured (or where its newest reading was)
    latest_at: datetime | None
    latest_value: float | None
    reached: list[str]  # the thresholds the newest value is at or above


class DatasetSummary(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    kind: str
    marking: str
    owner_partner_id: uuid.UUID
    synthetic: bool
    refresh_seconds: int
    last_observed_at: datetime | None
    stale: bool
    stale_since: datetime | None
    contact_point_id: uuid.UUID
    contact: ContactSummary | None  # None: the contact is hidden from you, or no longer in the directory
    series_count: int
    updated_at: datetime
    version: int


class DatasetView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    kind: str
    description: str
    marking: str
    audience: list[AudienceMember]
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    synthetic: bool
    record_schema: dict[str, Any]
    refresh_seconds: int
    created_at: datetime
    last_observed_at: datetime | None
    last_received_at: datetime | None
    stale: bool
    stale_since: datetime | None
    contact_point_id: uuid.UUID
    contact: ContactSummary | None
    series: list[SeriesView]
    following: bool
    followers: int
    updated_at: datetime
    version: int


class ObservationView(msgspec.Struct, frozen=True):
    series: str
    observed_at: datetime
    value: float | None
    attributes: dict[str, Any] | None
    location: list[float] | None
    received_at: datetime


class ObservationPage(msgspec.Struct, frozen=True):
    dataset_id: uuid.UUID
    series: str
    unit: str
    synthetic: bool
    items: list[ObservationView]
    next_after: datetime | None  # pass as ?after= for the next page; null on the last page


class RecordErrorView(msgspec.Struct, frozen=True):
    index: int
    path: str
    message: str


class IngestReport(msgspec.Struct, frozen=True):
    """The answer to a pushed batch, sent after it was committed."""

    received: int
    stored: int
    duplicates: int
    rejected: int
    errors: list[RecordErrorView]


class PullSourceView(msgspec.Struct, frozen=True):
    """Where this node fetches a dataset from, and how that went. Credentials never leave the database."""

    dataset_id: uuid.UUID
    url: str | None  # the owner's staff only; a password or a key-like query parameter shows as ***
    format: str  # csv | geojson | sensorthings
    interval_seconds: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_stored: int | None  # observations stored by the last successful poll
    consecutive_failures: int
    next_attempt_at: datetime
    wait_seconds: int  # between attempts now: the interval, doubled after each failure in a row (back-off)
    backing_off: bool
    last_error: str | None  # the owner's staff only, credentials hidden as in `url`
    created_at: datetime
