"""What partners and the platform ask of the hospital register: load it, and import status reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.assistance.hospital import REGISTER_SOURCE, Beds
from crisislink.domains.assistance.model import Point
from crisislink.kernel.messages import Command


@dataclass(frozen=True)
class RegisteredHospital:
    """One site of a register (the shipped one, docs/data.md)."""

    code: str
    name: str
    location: Point
    country: str | None
    site: str | None = None
    city: str | None = None
    postcode: str | None = None
    beds: int | None = None
    emergency: bool | None = None
    kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class RegisterHospitals(Command):
    """Add the sites of a register this node does not hold yet (by code); those it holds are left alone."""

    owner_partner_id: uuid.UUID  # who keeps the register on this node (docs/hospitals.md)
    hospitals: tuple[RegisteredHospital, ...]
    source: str = REGISTER_SOURCE


@dataclass(frozen=True)
class ReportedHospital:
    """What one status report says of one hospital, read from the message by the standards adapter."""

    name: str
    reported_at: datetime
    identifiers: tuple[str, ...] = ()
    location: Point | None = None
    country: str | None = None  # where `location` lies, for a hospital the report creates
    ems_traffic: str | None = None
    ems_reason: str | None = None
    ed_capacity: int | None = None
    facility_status: str | None = None
    beds: tuple[Beds, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ImportHospitalStatus(Command):
    """Record one message's reports, all or nothing: match each hospital, or create it, and keep its status."""

    message_id: str
    distribution: str | None  # the envelope's distributionStatus; None for a bare report
    hospitals: tuple[ReportedHospital, ...]
    register_owner: uuid.UUID  # owner of a hospital the message creates: the keeper of the node's register
