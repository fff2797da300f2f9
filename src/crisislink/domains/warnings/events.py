"""What happened to public warnings: every step of the workflow is one event (and one audit entry).

Each event carries the warning's label. Events about messages carry the CAP `status` and whether the
warning may reach the public at all, so a channel can refuse Exercise, Test and System messages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class WarningEvent(Event):
    warning_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class WarningDrafted(WarningEvent):
    TYPE = "crisislink.warnings.drafted"
    incident_id: uuid.UUID | None
    hazard: str
    status: str
    revision: int
    countries: tuple[str, ...]
    missing_languages: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WarningRevised(WarningEvent):
    TYPE = "crisislink.warnings.revised"
    revision: int
    changed: tuple[str, ...]
    approvals_reset: tuple[str, ...]  # the countries asked again
    missing_languages: tuple[str, ...]
    template: str = ""  # the template the texts came from, if any


@dataclass(frozen=True, kw_only=True)
class WarningRelabelled(WarningEvent):
    """Sent under the old label, so those who could see the warning learn it left their view."""

    TYPE = "crisislink.warnings.relabelled"


@dataclass(frozen=True, kw_only=True)
class WarningSubmitted(WarningEvent):
    TYPE = "crisislink.warnings.submitted"
    revision: int
    approvers: tuple[str, ...]
    missing_languages: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WarningCommented(WarningEvent):
    TYPE = "crisislink.warnings.commented"
    comment_id: uuid.UUID
    revision: int
    by_partner_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class WarningChangesRequested(WarningEvent):
    TYPE = "crisislink.warnings.changes_requested"
    country: str
    revision: int
    comment_id: uuid.UUID
    by_partner_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class WarningApproved(WarningEvent):
    TYPE = "crisislink.warnings.approved"
    country: str
    revision: int
    by_partner_id: uuid.UUID | None
    all_approved: bool


@dataclass(frozen=True, kw_only=True)
class WarningPartScheduled(WarningEvent):
    TYPE = "crisislink.warnings.part_scheduled"
    country: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class WarningPartIssued(WarningEvent):
    """One country's part went out, with the message `identifier` (new, or the chain's latest)."""

    TYPE = "crisislink.warnings.part_issued"
    country: str
    identifier: str
    msg_type: str
    sent: datetime
    status: str
    public: bool


@dataclass(frozen=True, kw_only=True)
class WarningPartHeld(WarningEvent):
    """A part's time came but the warning could not go out; a person must look."""

    TYPE = "crisislink.warnings.part_held"
    country: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class WarningUpdated(WarningEvent):
    """A CAP Update went out to every part already issued (`countries`)."""

    TYPE = "crisislink.warnings.updated"
    identifier: str
    sent: datetime
    references: tuple[str, ...]  # identifiers of the earlier messages
    revision: int
    countries: tuple[str, ...]
    status: str
    public: bool


@dataclass(frozen=True, kw_only=True)
class WarningCancelled(WarningEvent):
    """Cancelled: a CAP Cancel to every issued part, if any; parts not out yet never go out (`withdrawn`)."""

    TYPE = "crisislink.warnings.cancelled"
    identifier: str | None
    sent: datetime | None
    references: tuple[str, ...]
    countries: tuple[str, ...]
    withdrawn: tuple[str, ...]
    reason: str
    status: str
    public: bool


@dataclass(frozen=True, kw_only=True)
class WarningExpired(WarningEvent):
    TYPE = "crisislink.warnings.expired"
    withdrawn: tuple[str, ...]


ALL_EVENTS: tuple[type[Event], ...] = (
    WarningDrafted,
    WarningRevised,
    WarningRelabelled,
    WarningSubmitted,
    WarningCommented,
    WarningChangesRequested,
    WarningApproved,
    WarningPartScheduled,
    WarningPartIssued,
    WarningPartHeld,
    WarningUpdated,
    WarningCancelled,
    WarningExpired,
)
