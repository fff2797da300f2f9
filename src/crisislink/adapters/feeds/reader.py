"""`AtomCapFeedReader`: the `FeedReader` port over HTTP(S), for CAP Atom feeds.

One read: GET the feed (If-None-Match with the last ETag; 304 means nothing changed), then for each entry
take the CAP message inside it or fetch the one it links to, validate it, and hand back the valid ones.
An entry that cannot be taken is left out and said why (`FeedRead.skipped`); only a feed that cannot be
read at all fails the read. Messages the platform knows already (by the entry's `cap:identifier` and
`cap:sent`) are not fetched again, and a link that several entries share (MeteoAlarm: one entry per
area) is fetched once. The linked messages of one read share a time budget, so one slow server cannot
hold the schedule for long: what is not fetched in time is fetched at the next poll.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Final

import httpx

from crisislink.adapters.feeds.atom import AtomEntry, parse_feed
from crisislink.adapters.feeds.cap_entries import entry_from_cap
from crisislink.adapters.feeds.http_fetch import CAP_ACCEPT, FEED_ACCEPT, fetch, new_client
from crisislink.adapters.standards import cap
from crisislink.domains.warnings.external_ports import FeedUnavailable
from crisislink.domains.warnings.external_values import AlertKey, DueFeed, EntrySummary, FeedEntry, FeedRead
from crisislink.kernel.errors import InvalidInput

MAX_FEED_BYTES: Final = 5 * 1024 * 1024
MAX_ETAG_CHARS: Final = 300  # the width of the stored ETag; a longer one is not kept


@dataclass(frozen=True)
class ReaderLimits:
    timeout_seconds: float = 10.0
    max_feed_bytes: int = MAX_FEED_BYTES
    max_message_bytes: int = cap.MAX_MESSAGE_BYTES
    budget_seconds: float = 60.0  # for all the linked messages of one read
    max_linked: int = 200  # linked messages fetched per read; the rest at the next poll


@dataclass
class _Read:
    """The state of one read: what was taken, what was left out and why, which links were tried."""

    known: frozenset[EntrySummary]
    deadline: float
    entries: dict[AlertKey, FeedEntry] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    tried: set[str] = field(default_factory=set)


class AtomCapFeedReader:
    def __init__(self, limits: ReaderLimits | None = None) -> None:
        self.limits = limits or ReaderLimits()

    def read(self, feed: DueFeed) -> FeedRead:
        with new_client(self.limits.timeout_seconds) as client:
            got = fetch(
                client, feed.url, max_bytes=self.limits.max_feed_bytes, accept=FEED_ACCEPT, etag=feed.etag
            )
            if got.not_modified:
                return FeedRead(etag=feed.etag, not_modified=True)
            state = _Read(frozenset(feed.known), time.monotonic() + self.limits.budget_seconds)
            for entry in parse_feed(got.body, feed.url):
                self._take(client, entry, state)
        return FeedRead(tuple(state.entries.values()), tuple(state.skipped), _storable(got.etag))

    def _take(self, client: httpx.Client, entry: AtomEntry, state: _Read) -> None:
        if entry.summary is not None and entry.summary in state.known:
            return
        data = entry.embedded if entry.embedded is not None else self._linked(client, entry, state)
        if data is None:
            return
        try:
            found = entry_from_cap(data)
        except InvalidInput as error:
            state.skipped.append(f"{entry.name}: {error.message}")
            return
        state.entries.setdefault(found.key, found)

    def _linked(self, client: httpx.Client, entry: AtomEntry, state: _Read) -> bytes | None:
        if entry.link is None:
            state.skipped.append(f"{entry.name}: no CAP message inside it and no link to one")
            return None
        if entry.link in state.tried:
            return None  # another entry of the same message (MeteoAlarm: one entry per area)
        if len(state.tried) >= self.limits.max_linked or time.monotonic() > state.deadline:
            state.skipped.append(f"{entry.name}: not fetched in this poll's time; fetched at the next one")
            return None
        state.tried.add(entry.link)
        try:
            return fetch(client, entry.link, max_bytes=self.limits.max_message_bytes, accept=CAP_ACCEPT).body
        except FeedUnavailable as error:
            state.skipped.append(f"{entry.name}: {error.message}")
            return None


def _storable(etag: str | None) -> str | None:
    return etag if etag is not None and len(etag) <= MAX_ETAG_CHARS else None
