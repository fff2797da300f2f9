"""What happened to the hospital register. Hospitals are CLEAR reference data; so are their events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class HospitalsRegistered(Event):
    """A register was loaded: one event for the batch, not one per site (the shipped register has 3,258)."""

    TYPE = "crisislink.assistance.hospitals_registered"
    count: int
    source: str


@dataclass(frozen=True, kw_only=True)
class HospitalRegistered(Event):
    """A status report named a hospital the register did not know, and it was added."""

    TYPE = "crisislink.assistance.hospital_registered"
    hospital_id: uuid.UUID
    code: str
    name: str
    source: str


@dataclass(frozen=True, kw_only=True)
class HospitalStatusReported(Event):
    TYPE = "crisislink.assistance.hospital_status_reported"
    hospital_id: uuid.UUID
    report_id: uuid.UUID
    message_id: str
    distribution: str | None
    reported_at: datetime
    current: bool  # it became the hospital's current status (a real report, newer than the last)
    ems_traffic: str | None
    facility_status: str | None


HOSPITAL_EVENTS: tuple[type[Event], ...] = (HospitalsRegistered, HospitalRegistered, HospitalStatusReported)
