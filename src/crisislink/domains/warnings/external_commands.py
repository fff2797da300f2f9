"""What administrators and the platform's schedule ask of neighbours' warning feeds.

Reading a feed is network work, so it happens between commands, never inside one: `ClaimDueFeeds` takes
the feeds that are due (a short transaction), the application reads them through the `FeedReader` port
with no transaction open, and `RecordFeedPoll` stores each outcome. A read that takes seconds therefore
never holds the database's write lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crisislink.domains.warnings.external_values import FeedRead
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class SubscribeFeed(Command):
    """Public feeds are CLEAR by default: anyone may see what a neighbour published for everyone."""

    name: str
    url: str
    interval_seconds: int = 300
    marking: Tlp = Tlp.CLEAR


@dataclass(frozen=True, kw_only=True)
class UnsubscribeFeed(Command):
    """Stop reading a feed; the messages read from it are removed with it."""

    feed_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ClaimDueFeeds(Command):
    """The schedule's: every feed whose next poll is due, claimed so that no other schedule reads it too."""


@dataclass(frozen=True, kw_only=True)
class RecordFeedPoll(Command):
    """The schedule's: the outcome of reading one feed, either what was read or why it failed."""

    feed_id: uuid.UUID
    read: FeedRead | None = None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExpireExternalAlerts(Command):
    """The schedule's: end every message past its expiry."""
