"""Neighbours' public warnings: the CAP feeds a partner subscribed to, and the messages read from them.

An `ExternalFeed` is polled every `interval_seconds`; after a failure it waits longer (interval x 2^failures,
at most an hour, or the interval when that is longer), so a neighbour's server that is down is not hammered.

An `ExternalAlert` is one CAP message, stored once per (sender, identifier, sent) whichever feed carried it.
It is *active* while in force: an Alert or Update that nothing replaced and that has not expired. An
Update or Cancel ends the messages it `references` (`replaced_by` names it), only those of its own sender:
a feed cannot end another sender's warnings. An Update is in force itself, a Cancel is not. A message
referenced by one received earlier (feeds list newest first, and a neighbour's feed may lag) arrives
already replaced; a reference to a message never received is simply kept. Without `expires`, a message counts as in force for
`UNDATED_LIFETIME` after it was sent, so an alert nobody cancels does not stay on the map for ever.
Exercise, Test, System and Draft messages are stored like the others; only Actual ones reach the map.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from crisislink.domains.warnings import external_events as e
from crisislink.domains.warnings.external_values import AlertKey, FeedEntry, FeedRead
from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.clock import ensure_utc
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label

MIN_INTERVAL_SECONDS: Final = 60
MAX_INTERVAL_SECONDS: Final = 86_400
MAX_BACKOFF: Final = timedelta(hours=1)
# A claimed feed is not claimed again for this long, so a second schedule (another process) does not read
# it at the same time; the outcome of the read sets the real next poll.
CLAIM_LEASE: Final = timedelta(minutes=10)
UNDATED_LIFETIME: Final = timedelta(hours=24)
# Messages received this recently (or not expired) are handed to the feed reader as known: a feed lists
# what is current, and their CAP need not be fetched again.
KNOWN_WINDOW: Final = timedelta(days=7)
MAX_ERROR_CHARS: Final = 1000
MAX_URL_CHARS: Final = 1000

ACTUAL: Final = "Actual"
ALERT: Final = "Alert"
UPDATE: Final = "Update"
CANCEL: Final = "Cancel"
IN_FORCE_TYPES: Final = frozenset({ALERT, UPDATE})
REPLACING_TYPES: Final = frozenset({UPDATE, CANCEL})


def check_feed_url(url: str) -> str:
    """The URL as stored: http(s), with a host, and no credentials (everyone who sees the feed sees it)."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(
            f"{url!r} is not a feed address: give an http:// or https:// URL, e.g. "
            "https://feeds.meteoalarm.org/feeds/meteoalarm-legacy-atom-belgium"
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "remove the user name and password from the feed URL: everyone who sees the feed sees it"
        )
    if len(cleaned) > MAX_URL_CHARS:
        raise InvalidInput(f"the feed URL is longer than {MAX_URL_CHARS} characters")
    return cleaned


def check_interval(seconds: int) -> int:
    if not MIN_INTERVAL_SECONDS <= seconds <= MAX_INTERVAL_SECONDS:
        raise InvalidInput(
            f"poll a feed every {MIN_INTERVAL_SECONDS} s to {MAX_INTERVAL_SECONDS} s (a day); "
            f"{seconds} s is out of range"
        )
    return seconds


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


@dataclass(kw_only=True, eq=False)
class ExternalFeed(Shareable):
    name: str
    url: str
    interval_seconds: int
    next_poll_at: datetime
    last_polled_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None  # the failure, or what the last good read left out; None when all went in
    failures: int = 0  # consecutive failed reads
    etag: str | None = None

    @classmethod
    def subscribe(
        cls, *, label: Label, name: str, url: str, interval_seconds: int, now: datetime
    ) -> ExternalFeed:
        if not name.strip():
            raise InvalidInput("name the feed, e.g. 'MeteoAlarm Germany'")
        feed = cls(
            id=new_id(),
            label=label,
            name=name.strip(),
            url=check_feed_url(url),
            interval_seconds=check_interval(interval_seconds),
            next_poll_at=now,  # read it at the next round of the schedule
        )
        feed.record(
            e.ExternalFeedSubscribed(
                label=label, feed_id=feed.id, name=feed.name, url=feed.url, interval_seconds=interval_seconds
            )
        )
        return feed

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.interval_seconds)

    def claim(self, now: datetime) -> None:
        self.next_poll_at = now + CLAIM_LEASE

    def retry_delay(self) -> timedelta:
        """Interval x 2^failures, capped at an hour (or at the interval, when that is longer)."""
        cap = max(MAX_BACKOFF, self.interval)
        return min(self.interval * (1 << min(self.failures, 16)), cap)

    def failed(self, now: datetime, error: str) -> None:
        self.failures += 1
        self.last_polled_at, self.last_error = now, _clip(error)
        self.next_poll_at = now + self.retry_delay()
        self.record(
            e.ExternalFeedFailed(
                label=self.label,
                feed_id=self.id,
                failures=self.failures,
                error=self.last_error,
                next_poll_at=self.next_poll_at,
            )
        )

    def succeeded(self, now: datetime, read: FeedRead, received: int) -> None:
        if self.failures:
            self.record(
                e.ExternalFeedRecovered(label=self.label, feed_id=self.id, after_failures=self.failures)
            )
        self.failures, self.last_polled_at, self.last_ok_at = 0, now, now
        self.next_poll_at = now + self.interval
        if read.not_modified:
            return
        # A feed read with entries left out is read whole next time (no ETag): an entry whose CAP could not
        # be fetched this time gets another chance even if the feed itself does not change.
        self.etag = None if read.skipped else read.etag
        self.last_error = _clip(_skipped_summary(read.skipped)) if read.skipped else None
        if received or read.skipped:
            self.record(
                e.ExternalFeedPolled(
                    label=self.label, feed_id=self.id, received=received, skipped=read.skipped[:20]
                )
            )

    def unsubscribe(self, alerts_removed: int) -> None:
        self.record(
            e.ExternalFeedUnsubscribed(
                label=self.label, feed_id=self.id, name=self.name, alerts_removed=alerts_removed
            )
        )


def _skipped_summary(skipped: tuple[str, ...]) -> str:
    more = f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
    return (
        f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} left out: " + "; ".join(skipped[:3]) + more
    )


@dataclass(kw_only=True, eq=False)
class ExternalAlert(Shareable):
    feed_id: uuid.UUID
    sender: str
    identifier: str
    sent: datetime
    msg_type: str
    status: str
    references: tuple[AlertKey, ...]
    event: str
    headline: str
    severity: str
    urgency: str
    certainty: str
    languages: tuple[str, ...]
    onset: datetime | None
    expires: datetime | None
    area: Mapping[str, Any] | None = field(repr=False)
    area_description: str
    active: bool
    replaced_by: str | None
    raw: bytes = field(repr=False)
    received_at: datetime

    @classmethod
    def receive(
        cls, entry: FeedEntry, feed: ExternalFeed, now: datetime, replaced_by: ExternalAlert | None = None
    ) -> ExternalAlert:
        """A message as first read, under its feed's label; `replaced_by`: a later message received before it."""
        alert = cls(
            id=new_id(),
            label=feed.label,
            feed_id=feed.id,
            **_entry_fields(entry),
            active=False,
            replaced_by=None if replaced_by is None else replaced_by.identifier,
            received_at=now,
        )
        alert.active = replaced_by is None and alert.msg_type in IN_FORCE_TYPES and now < alert.ends_at
        alert.record(
            e.ExternalAlertReceived(
                label=alert.label,
                alert_id=alert.id,
                feed_id=alert.feed_id,
                identifier=alert.identifier,
                sender=alert.sender,
                sent=alert.sent,
                msg_type=alert.msg_type,
                status=alert.status,
                event=alert.event,
                severity=alert.severity,
                headline=alert.headline,
                expires=alert.expires,
                active=alert.active,
                replaced_by=alert.replaced_by,
            )
        )
        return alert

    @property
    def key(self) -> AlertKey:
        return AlertKey(self.sender, self.identifier, self.sent)

    @property
    def ends_at(self) -> datetime:
        return self.expires if self.expires is not None else self.sent + UNDATED_LIFETIME

    @property
    def replaces_others(self) -> bool:
        return self.msg_type in REPLACING_TYPES

    def refers_to(self, sender: str, identifier: str) -> bool:
        return any(ref.sender == sender and ref.identifier == identifier for ref in self.references)

    def replace_with(self, later: ExternalAlert) -> bool:
        """`later` (an Update or Cancel naming this message) ends it. False if it had ended already."""
        if not self.active or later is self:
            return False
        self.active, self.replaced_by = False, later.identifier
        reason = "cancelled" if later.msg_type == CANCEL else "updated"
        self._ended(reason)
        return True

    def expire(self, now: datetime) -> bool:
        if not self.active or now < self.ends_at:
            return False
        self.active = False
        self._ended("expired")
        return True

    def _ended(self, reason: str) -> None:
        self.record(
            e.ExternalAlertEnded(
                label=self.label,
                alert_id=self.id,
                feed_id=self.feed_id,
                identifier=self.identifier,
                reason=reason,
                replaced_by=self.replaced_by,
            )
        )


def _entry_fields(entry: FeedEntry) -> dict[str, Any]:
    return {
        "sender": entry.sender,
        "identifier": entry.identifier,
        "sent": entry.key.sent,
        "msg_type": entry.msg_type,
        "status": entry.status,
        "references": entry.references,
        "event": entry.event,
        "headline": entry.headline or entry.event,
        "severity": entry.severity,
        "urgency": entry.urgency,
        "certainty": entry.certainty,
        "languages": entry.languages,
        "onset": None if entry.onset is None else ensure_utc(entry.onset),
        "expires": None if entry.expires is None else ensure_utc(entry.expires),
        "area": None if entry.area is None else dict(entry.area),
        "area_description": entry.area_description,
        "raw": entry.raw,
    }
