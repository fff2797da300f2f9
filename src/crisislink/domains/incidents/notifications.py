"""Neighbour notifications: who was told about an incident, through which contact, and who answered.

A notification walks its escalation chain (the partner's 24/7 desk, its next contact, then its national
crisis centre) until someone of the notified partner acknowledges it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput, PermissionDenied


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    UNANSWERED = "unanswered"  # every contact of the chain was tried; shown in red until someone answers


@dataclass(kw_only=True, eq=False)
class NeighbourNotification(Shareable):
    incident_id: uuid.UUID
    partner_id: uuid.UUID
    reason: str
    chain: tuple[uuid.UUID, ...]  # contact points, in the order they are tried
    sent_at: datetime
    escalate_at: datetime
    step: int = 0
    status: NotificationStatus = NotificationStatus.PENDING
    acknowledged_at: datetime | None = None
    acknowledged_by: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if not self.chain:
            raise InvalidInput("a notification needs at least one point of contact to reach")

    @property
    def contact_point_id(self) -> uuid.UUID:
        return self.chain[min(self.step, len(self.chain) - 1)]

    def acknowledge(self, user_id: uuid.UUID, partner_id: uuid.UUID | None, at: datetime) -> None:
        if partner_id != self.partner_id:
            raise PermissionDenied("only someone of the notified partner can acknowledge its notification")
        if self.status is NotificationStatus.ACKNOWLEDGED:
            raise Conflict("this notification was acknowledged already")
        self.status, self.acknowledged_at, self.acknowledged_by = NotificationStatus.ACKNOWLEDGED, at, user_id

    def escalate(self, now: datetime, wait: timedelta) -> bool:
        """Move to the next contact if the current one did not answer in time. True if it moved."""
        if self.status is not NotificationStatus.PENDING or now < self.escalate_at:
            return False
        if self.step + 1 >= len(self.chain):
            self.status = NotificationStatus.UNANSWERED
            return True
        self.step += 1
        self.escalate_at = now + wait
        return True
