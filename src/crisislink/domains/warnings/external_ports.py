"""What neighbours' warning feeds need from outside, as protocols their adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crisislink.domains.warnings.external import ExternalAlert, ExternalFeed
from crisislink.domains.warnings.external_values import AlertKey, DueFeed, EntrySummary, FeedRead
from crisislink.kernel.errors import CrisislinkError


class FeedUnavailable(CrisislinkError):
    """The feed itself could not be read (network, HTTP status, not an Atom feed, too large...)."""

    code = "feed-unavailable"


class FeedReader(Protocol):
    def read(self, feed: DueFeed) -> FeedRead:
        """The feed's valid CAP messages (`feed.known` ones may be left out); FeedUnavailable if unreadable.

        An entry that cannot be taken (invalid CAP, its CAP not fetched) is left out and named in
        `FeedRead.skipped`; it never makes the whole read fail.
        """
        ...


class ExternalFeeds(Protocol):
    def add(self, feed: ExternalFeed) -> None: ...
    def get(self, feed_id: uuid.UUID) -> ExternalFeed: ...
    def remove(self, feed: ExternalFeed) -> None: ...
    def by_url(self, url: str) -> ExternalFeed | None: ...
    def due(self, moment: datetime) -> Sequence[ExternalFeed]:
        """Feeds whose next poll is at or before `moment`."""
        ...


class ExternalAlerts(Protocol):
    def add(self, alert: ExternalAlert) -> None: ...
    def remove(self, alert: ExternalAlert) -> None: ...
    def contains(self, key: AlertKey) -> bool: ...
    def with_identifier(self, sender: str, identifier: str) -> Sequence[ExternalAlert]: ...
    def referencing(self, sender: str, identifier: str) -> Sequence[ExternalAlert]:
        """Stored messages whose `references` name (sender, identifier)."""
        ...

    def of_feed(self, feed_id: uuid.UUID) -> Sequence[ExternalAlert]: ...
    def past_end(self, moment: datetime) -> Sequence[ExternalAlert]:
        """Active messages whose time is over at `moment` (see `ExternalAlert.ends_at`)."""
        ...

    def recent(self, moment: datetime) -> frozenset[EntrySummary]:
        """(identifier, sent) of the messages received within `KNOWN_WINDOW`, or not expired, at `moment`."""
        ...


class ExternalUnitOfWork(Protocol):
    @property
    def external_feeds(self) -> ExternalFeeds: ...
    @property
    def external_alerts(self) -> ExternalAlerts: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def commit(self) -> None: ...
