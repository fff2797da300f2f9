"""Read models of the assistance capability, served as JSON as they are."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from crisislink.adapters.db.queries.views import AudienceMember


class UnitView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    owner_partner_id: uuid.UUID
    home_node_id: uuid.UUID
    marking: str
    audience: list[AudienceMember]
    capability: str
    name: str
    call_sign: str | None
    home_base: list[float]  # [lon, lat]
    status: str
    status_at: datetime
    position: list[float] | None  # [lon, lat] while deployed
    crew_languages: list[str]
    radio: list[str]
    arrangements: list[str]
    offer_id: uuid.UUID | None  # the accepted offer that holds it
    updated_at: datetime
    version: int


class StagingView(msgspec.Struct, frozen=True):
    name: str
    lon: float
    lat: float


class SupportView(msgspec.Struct, frozen=True):
    liaison: str
    languages: list[str]
    logistics: str


class RequestView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    owner_partner_id: uuid.UUID  # the requester
    home_node_id: uuid.UUID
    marking: str
    addressees: list[uuid.UUID]  # the partners it was sent to
    capability: str
    quantity: int
    accepted: int
    staging: StagingView
    starts_at: datetime
    ends_at: datetime
    respond_by: datetime
    support: SupportView
    description: str
    incident_id: uuid.UUID | None
    status: str
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    version: int


class OfferedUnitView(msgspec.Struct, frozen=True):
    unit_id: uuid.UUID
    name: str
    call_sign: str | None


class OfferView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    request_id: uuid.UUID
    owner_partner_id: uuid.UUID  # the offerer
    requester_id: uuid.UUID
    marking: str
    units: list[OfferedUnitView]
    quantity: int
    available_from: datetime
    conditions: str
    status: str
    accepted: int
    accepted_units: list[uuid.UUID]
    reason: str
    offered_at: datetime
    offered_by: uuid.UUID | None
    updated_at: datetime
    version: int
