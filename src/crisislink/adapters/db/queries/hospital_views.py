"""Read models of the hospital register, served as JSON as they are."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class BedsView(msgspec.Struct, frozen=True):
    bed_type: str
    available: int | None
    baseline: int | None
    vacant: bool | None  # the report's CapacityStatus: Vacant/Available (true), NotAvailable (false)


class StatusView(msgspec.Struct, frozen=True):
    report_id: uuid.UUID
    message_id: str
    distribution: str | None  # EDXL-DE distributionStatus; null: a bare report
    reported_at: datetime
    received_at: datetime
    reported_by: uuid.UUID | None
    ems_traffic: str | None
    ems_reason: str | None
    ed_capacity: int | None
    facility_status: str | None
    beds: list[BedsView]


class HospitalSummary(msgspec.Struct, frozen=True):
    id: uuid.UUID
    code: str
    name: str
    site: str | None
    lon: float
    lat: float
    country: str | None
    city: str | None
    beds: int | None
    emergency: bool | None
    kind: str | None
    source: str
    status_reported_at: datetime | None  # of the current (newest real) report
    ems_traffic: str | None


class HospitalView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    marking: str
    code: str
    name: str
    site: str | None
    lon: float
    lat: float
    country: str | None
    city: str | None
    postcode: str | None
    identifiers: list[str]
    beds: int | None  # the register's count
    emergency: bool | None  # the register's flag (Belgium only)
    kind: str | None
    source: str
    registered_at: datetime
    status: StatusView | None  # current: the newest real report
    recent_reports: list[StatusView]  # the last ones received, real, test or exercise, newest first
    updated_at: datetime
    version: int
