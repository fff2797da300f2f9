"""What happened to neighbours' feeds and the warnings read from them.

A quiet poll (nothing new, nothing wrong) raises no event: the feed's record still changes (and the audit
trail says so), but the map, which reloads on any event, is not woken every minute for nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class ExternalFeedEvent(Event):
    feed_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ExternalFeedSubscribed(ExternalFeedEvent):
    TYPE = "crisislink.warnings.external_feed_subscribed"
    name: str
    url: str
    interval_seconds: int


@dataclass(frozen=True, kw_only=True)
class ExternalFeedUnsubscribed(ExternalFeedEvent):
    TYPE = "crisislink.warnings.external_feed_unsubscribed"
    name: str
    alerts_removed: int


@dataclass(frozen=True, kw_only=True)
class ExternalFeedPolled(ExternalFeedEvent):
    """A read that brought new messages, or left some out (`skipped` says why, for the administrator)."""

    TYPE = "crisislink.warnings.external_feed_polled"
    received: int
    skipped: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ExternalFeedFailed(ExternalFeedEvent):
    TYPE = "crisislink.warnings.external_feed_failed"
    failures: int
    error: str
    next_poll_at: datetime


@dataclass(frozen=True, kw_only=True)
class ExternalFeedRecovered(ExternalFeedEvent):
    TYPE = "crisislink.warnings.external_feed_recovered"
    after_failures: int


@dataclass(frozen=True, kw_only=True)
class ExternalAlertEvent(Event):
    alert_id: uuid.UUID
    feed_id: uuid.UUID
    identifier: str


@dataclass(frozen=True, kw_only=True)
class ExternalAlertReceived(ExternalAlertEvent):
    TYPE = "crisislink.warnings.external_alert_received"
    sender: str
    sent: datetime
    msg_type: str
    status: str
    event: str
    severity: str
    headline: str
    expires: datetime | None
    active: bool
    replaced_by: str | None


@dataclass(frozen=True, kw_only=True)
class ExternalAlertEnded(ExternalAlertEvent):
    """No longer in force: `reason` is "updated", "cancelled" (by `replaced_by`) or "expired"."""

    TYPE = "crisislink.warnings.external_alert_ended"
    reason: str
    replaced_by: str | None


EXTERNAL_EVENTS: tuple[type[Event], ...] = (
    ExternalFeedSubscribed,
    ExternalFeedUnsubscribed,
    ExternalFeedPolled,
    ExternalFeedFailed,
    ExternalFeedRecovered,
    ExternalAlertReceived,
    ExternalAlertEnded,
)
