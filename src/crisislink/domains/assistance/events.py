"""What happened in mutual assistance. Each event carries the label of the record it is about.

The parties learn of a step through its event: it is labelled so that exactly they may see it (a request's
event reaches the requester and the partners it was sent to; an offer's, the requester and the offerer),
and `notify` names the partners whose points of contact must act on it, for the live feed and any
gateway that pages 24/7 desks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.assistance.hospital_events import HOSPITAL_EVENTS
from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class UnitRegistered(Event):
    TYPE = "crisislink.assistance.unit_registered"
    unit_id: uuid.UUID
    capability: str
    name: str


@dataclass(frozen=True, kw_only=True)
class UnitUpdated(Event):
    TYPE = "crisislink.assistance.unit_updated"
    unit_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class UnitRelabelled(Event):
    """Sent under the old label, so those who could see the unit learn it left their view."""

    TYPE = "crisislink.assistance.unit_relabelled"
    unit_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UnitStatusChanged(Event):
    TYPE = "crisislink.assistance.unit_status_changed"
    unit_id: uuid.UUID
    status: str
    previous: str
    at: datetime
    position: tuple[float, float] | None  # lon, lat while deployed
    offer_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class AssistanceRequested(Event):
    """A request was created (as a draft, or sent at once: then `AssistanceRequestSent` follows)."""

    TYPE = "crisislink.assistance.request_created"
    request_id: uuid.UUID
    capability: str
    quantity: int
    incident_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class AssistanceRequestSent(Event):
    TYPE = "crisislink.assistance.request_sent"
    request_id: uuid.UUID
    capability: str
    quantity: int
    respond_by: datetime
    notify: tuple[uuid.UUID, ...]  # the partners it was sent to this time


@dataclass(frozen=True, kw_only=True)
class AssistanceRequestStatusChanged(Event):
    TYPE = "crisislink.assistance.request_status_changed"
    request_id: uuid.UUID
    status: str
    previous: str
    accepted: int
    reason: str
    notify: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class OfferMade(Event):
    TYPE = "crisislink.assistance.offer_made"
    offer_id: uuid.UUID
    request_id: uuid.UUID
    quantity: int
    available_from: datetime
    notify: tuple[uuid.UUID, ...]  # the requester


@dataclass(frozen=True, kw_only=True)
class OfferStatusChanged(Event):
    TYPE = "crisislink.assistance.offer_status_changed"
    offer_id: uuid.UUID
    request_id: uuid.UUID
    status: str
    previous: str
    accepted: int
    reason: str
    notify: tuple[uuid.UUID, ...]  # the other party


ALL_EVENTS: tuple[type[Event], ...] = (
    UnitRegistered,
    UnitUpdated,
    UnitRelabelled,
    UnitStatusChanged,
    AssistanceRequested,
    AssistanceRequestSent,
    AssistanceRequestStatusChanged,
    OfferMade,
    OfferStatusChanged,
    *HOSPITAL_EVENTS,  # the hospital register (hospital_events.py)
)
