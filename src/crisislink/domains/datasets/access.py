"""Access requests to AMBER datasets: a partner asks, the owner's data steward grants or refuses.

A grant adds the partner to the dataset's audience, so the one sharing policy does the rest (lists, reads,
exports, the live feed, webhooks); the schedule takes it out again at expiry. Who decides is the owner
partner's *data steward*: its partner administrators (docs/dataset-delivery.md).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from crisislink.domains.datasets.model import Dataset
from crisislink.kernel.errors import InvalidInput, PermissionDenied
from crisislink.kernel.messages import Actor

MAX_REASON = 2000
LONGEST_GRANT = timedelta(days=366)
# Role names as the directory defines them. The steward is the owner's partner administrator.
STEWARD_ROLES = frozenset({"partner_admin"})


class AccessStatus(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"
    ENDED = "ended"  # expired or revoked


class AccessScope(enum.StrEnum):
    """What a grant allows: reading (lists, records, exports, the live feed), or that and subscribing."""

    READ = "read"
    READ_AND_SUBSCRIBE = "read_subscribe"


@dataclass
class AccessRequest:
    id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_owner_id: uuid.UUID
    partner_id: uuid.UUID
    requested_by: uuid.UUID | None
    reason: str
    created_at: datetime
    status: AccessStatus = AccessStatus.PENDING
    scope: AccessScope | None = None
    expires_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    added_to_audience: bool = False
    ended_at: datetime | None = None


class AccessRequestStore(Protocol):
    def add(self, request: AccessRequest) -> None: ...
    def get(self, request_id: uuid.UUID) -> AccessRequest:
        """The request, or NotFound."""
        ...

    def save(self, request: AccessRequest) -> None: ...
    def open_for(self, dataset_id: uuid.UUID, partner_id: uuid.UUID) -> AccessRequest | None:
        """The partner's pending or granted request for the dataset, if any."""
        ...

    def due_to_end(self, moment: datetime) -> list[AccessRequest]: ...


def require_steward(actor: Actor, dataset: Dataset) -> None:
    if actor.partner_id == dataset.label.owner_partner_id and STEWARD_ROLES & actor.roles:
        return
    raise PermissionDenied(
        "granting, refusing or ending access is for the data steward (partner administrator) of the "
        "partner that owns the dataset"
    )


def check_reason(reason: str, what: str) -> str:
    stripped = reason.strip()
    if not stripped:
        raise InvalidInput(f"{what} must not be empty: say why")
    if len(stripped) > MAX_REASON:
        raise InvalidInput(f"{what} is longer than {MAX_REASON} characters")
    return stripped


def check_expiry(expires_at: datetime, now: datetime) -> datetime:
    if expires_at.tzinfo is None:
        raise InvalidInput("the expiry needs a UTC offset")
    if not now < expires_at <= now + LONGEST_GRANT:
        raise InvalidInput("access must expire in the future, within 366 days")
    return expires_at
