"""A request for assistance: what, how many, where, when, and the host-nation support that comes with it.

The request belongs to the requesting partner. It is shared (AMBER) with exactly the partners it was sent
to; its coverage counts what the requester accepted of their offers.

    draft --send--> open --accept (part)--> partially_covered --accept (rest)--> covered
    open, partially_covered, covered --close--> closed        (no offer accepted, mobilising or deployed)
    draft, open, partially_covered, covered --cancel--> cancelled   (no offer deployed)
    open --expire--> expired                                  (its deadline passed with nothing accepted)
    An accepted offer withdrawn lowers the coverage again (covered -> partially_covered -> open).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from crisislink.domains.assistance.model import HostNationSupport, StagingArea, step
from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import InvalidInput


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PARTIALLY_COVERED = "partially_covered"
    COVERED = "covered"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = RequestStatus
# What may happen to a request in each state; the verbs name the commands.
REQUEST_STEPS = MappingProxyType(
    {
        S.DRAFT: ("send", "cancel"),
        S.OPEN: ("send", "offer", "accept", "close", "cancel", "expire"),
        S.PARTIALLY_COVERED: ("send", "offer", "accept", "close", "cancel"),
        S.COVERED: ("close", "cancel"),
        S.CLOSED: (),
        S.CANCELLED: (),
        S.EXPIRED: (),
    }
)
_COVERAGE = frozenset({S.OPEN, S.PARTIALLY_COVERED, S.COVERED})


@dataclass(kw_only=True, eq=False)
class AssistanceRequest(Shareable):
    capability: str
    quantity: int
    staging: StagingArea
    starts_at: datetime
    ends_at: datetime
    respond_by: datetime  # no offer accepted by then: the request expires
    support: HostNationSupport
    description: str
    incident_id: uuid.UUID | None  # the incident it serves, if any (a plain id: no link to that capability)
    created_at: datetime
    created_by: uuid.UUID | None
    addressees: frozenset[uuid.UUID] = frozenset()
    status: RequestStatus = RequestStatus.DRAFT
    accepted: int = 0  # how many of `quantity` the requester accepted
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise InvalidInput(
                f"the request must end (until {self.ends_at.isoformat()}) after it starts "
                f"(from {self.starts_at.isoformat()})"
            )
        if self.respond_by > self.ends_at:
            raise InvalidInput("the deadline for offers (respond_by) must not be after the request ends")

    @property
    def requester(self) -> uuid.UUID:
        owner = self.label.owner_partner_id
        assert owner is not None, "requests always have an owner partner"
        return owner

    def require(self, verb: str) -> None:
        step("request", self.status, verb, dict.fromkeys(REQUEST_STEPS[self.status]))

    @property
    def remaining(self) -> int:
        return self.quantity - self.accepted

    def end(self, status: RequestStatus, at: datetime) -> RequestStatus:
        previous, self.status, self.updated_at = self.status, status, at
        return previous

    def recount(self, accepted: int, at: datetime) -> RequestStatus:
        """Set the accepted quantity and the coverage state that follows; returns the previous state."""
        previous = self.status
        assert previous in _COVERAGE, "only a live request is covered"
        self.accepted, self.updated_at = accepted, at
        if accepted <= 0:
            self.status = S.OPEN
        elif accepted < self.quantity:
            self.status = S.PARTIALLY_COVERED
        else:
            self.status = S.COVERED
        return previous
