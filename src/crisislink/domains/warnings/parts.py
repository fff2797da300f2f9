"""The part of a warning each country issues through its own channel (NL-Alert, BE-Alert, LU-Alert).

Each state warns the population on its own territory (DOMAIN.md §4.5): a part goes out together with the
others or at the time its country chose, always with the latest message of the warning's chain.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class PartStatus(enum.StrEnum):
    PENDING = "pending"  # no time chosen: goes out when the warning is issued
    SCHEDULED = "scheduled"
    HELD = "held"  # its time came but the warning could not be issued; a person must look
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"  # the warning was cancelled or expired before this part went out


@dataclass(frozen=True)
class IssuedPart:
    country: str
    status: PartStatus = PartStatus.PENDING
    scheduled_at: datetime | None = None
    issued_at: datetime | None = None
    message_identifier: str | None = None  # the message it went out with
    held_because: str = ""

    @property
    def open(self) -> bool:
        """Not out yet, and still meant to go out."""
        return self.status in {PartStatus.PENDING, PartStatus.SCHEDULED, PartStatus.HELD}

    def scheduled_later_than(self, moment: datetime) -> bool:
        return (
            self.status is PartStatus.SCHEDULED
            and self.scheduled_at is not None
            and self.scheduled_at > moment
        )

    def due(self, moment: datetime) -> bool:
        return (
            self.status is PartStatus.SCHEDULED
            and self.scheduled_at is not None
            and self.scheduled_at <= moment
        )
