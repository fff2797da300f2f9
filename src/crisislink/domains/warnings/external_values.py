"""Neighbours' warnings as the domain sees them: what a read of a CAP feed gave, never XML or HTTP.

The feed adapter reads a feed, validates every CAP message in it and hands over `FeedEntry` values: the
fields the platform shows and decides with, plus the message's bytes exactly as received (kept for audit,
opaque here).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crisislink.kernel.clock import ensure_utc

# (identifier, sent) of a message: what a feed's entry summary tells before its CAP is fetched.
EntrySummary = tuple[str, datetime]


@dataclass(frozen=True)
class AlertKey:
    """A CAP message's identity: sender, identifier and sent together (CAP 1.2, `references`)."""

    sender: str
    identifier: str
    sent: datetime

    def __post_init__(self) -> None:
        # The same instant written in another zone is the same message.
        object.__setattr__(self, "sent", ensure_utc(self.sent))

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent.isoformat()}"


@dataclass(frozen=True, kw_only=True)
class FeedEntry:
    """One valid CAP message read from a feed. `headline`, `event` and the codes are its first info's."""

    sender: str
    identifier: str
    sent: datetime
    msg_type: str
    status: str
    references: tuple[AlertKey, ...] = ()
    event: str = ""
    headline: str = ""
    severity: str = "Unknown"
    urgency: str = "Unknown"
    certainty: str = "Unknown"
    languages: tuple[str, ...] = ()
    onset: datetime | None = None
    expires: datetime | None = None
    # GeoJSON geometry, lon/lat; None when the message locates its area by codes the platform cannot draw.
    area: Mapping[str, Any] | None = field(default=None, repr=False)
    area_description: str = ""
    raw: bytes = field(default=b"", repr=False)  # as received: a signature is checked on these bytes

    @property
    def key(self) -> AlertKey:
        return AlertKey(self.sender, self.identifier, self.sent)


@dataclass(frozen=True)
class FeedRead:
    """What one read of a feed gave: new `etag`, valid entries, and why other entries were left out."""

    entries: tuple[FeedEntry, ...] = ()
    skipped: tuple[str, ...] = ()
    etag: str | None = None
    not_modified: bool = False  # the feed answered 304: nothing changed since `etag`


@dataclass(frozen=True)
class DueFeed:
    """A feed to read now. `known`: messages already stored, whose CAP need not be fetched again."""

    feed_id: uuid.UUID
    url: str
    etag: str | None
    known: frozenset[EntrySummary] = frozenset()


@dataclass(frozen=True)
class PollReport:
    """What recording one read changed."""

    received: int = 0
    duplicates: int = 0
    ended: int = 0
    skipped: int = 0
    failed: bool = False
