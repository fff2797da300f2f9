"""What happened to access requests. Each is labelled AMBER for the owner and the requesting partner: both
see the request's fate, even when the requester cannot see the dataset itself (so these are not
DatasetEvents, whose context is the dataset)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class AccessEvent(Event):
    request_id: uuid.UUID
    dataset_id: uuid.UUID
    partner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DatasetAccessRequested(AccessEvent):
    TYPE = "crisislink.datasets.access_requested"
    reason: str


@dataclass(frozen=True, kw_only=True)
class DatasetAccessGranted(AccessEvent):
    TYPE = "crisislink.datasets.access_granted"
    scope: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class DatasetAccessRefused(AccessEvent):
    TYPE = "crisislink.datasets.access_refused"
    reason: str


@dataclass(frozen=True, kw_only=True)
class DatasetAccessEnded(AccessEvent):
    TYPE = "crisislink.datasets.access_ended"
    why: str  # "expired" | "revoked: <reason>"


ACCESS_EVENTS: tuple[type[Event], ...] = (
    DatasetAccessRequested,
    DatasetAccessGranted,
    DatasetAccessRefused,
    DatasetAccessEnded,
)
