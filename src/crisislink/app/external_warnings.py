"""Wiring of neighbours' warning feeds: handlers, the map layer, and the poll the schedule runs.

A poll round has three steps, each its own short transaction, with the network work between them:
1. `ExpireExternalAlerts` ends what is past its expiry;
2. `ClaimDueFeeds` takes the feeds that are due;
3. the feeds are read through the `FeedReader` port, a few at a time, with no transaction open (a read
   can take seconds; on SQLite a transaction would hold the node's one write lock all that time), and
   each outcome is stored by its own `RecordFeedPoll`. One feed failing, or its outcome failing to store,
   never stops the others: it is logged, and the feed is read again once its claim runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from functools import partial
from typing import Final

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import external_alerts as queries
from crisislink.adapters.feeds.reader import AtomCapFeedReader
from crisislink.app.bus import CommandHandler, MessageBus
from crisislink.app.layers import N_, Feature, MapLayer
from crisislink.domains.sharing.policy import Viewer
from crisislink.domains.warnings import external_commands as c
from crisislink.domains.warnings import external_handlers as h
from crisislink.domains.warnings.external_ports import FeedReader
from crisislink.domains.warnings.external_values import DueFeed, FeedRead, PollReport
from crisislink.kernel.clock import Clock
from crisislink.kernel.errors import CrisislinkError
from crisislink.kernel.messages import SYSTEM, Command

log = logging.getLogger(__name__)
READERS: Final = 4  # feeds read at the same time


def external_handlers(clock: Clock) -> dict[type[Command], CommandHandler]:
    now = clock.now
    return {
        c.SubscribeFeed: partial(h.subscribe_feed, now=now),
        c.UnsubscribeFeed: h.unsubscribe_feed,
        c.ClaimDueFeeds: partial(h.claim_due_feeds, now=now),
        c.RecordFeedPoll: partial(h.record_feed_poll, now=now),
        c.ExpireExternalAlerts: partial(h.expire_external_alerts, now=now),
    }


def _external_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:
    return queries.external_warning_features(engine, viewer, now)


def external_layers() -> list[MapLayer]:
    return [
        MapLayer(
            id="external_warnings",
            title=N_("Neighbours' public warnings"),
            geometry="mixed",
            features=_external_features,
            order=35,
            # Purple, unlike the red of incidents: a neighbour's warning is not one of ours.
            style={
                "color": "#7b2cbf",
                "weight": 1.5,
                "fillOpacity": 0.12,
                "dashArray": "6 3",
                "symbol": "warning",
            },
        )
    ]


def poll_due_feeds(bus: MessageBus, reader: FeedReader | None = None) -> int:
    """One round: returns how many messages were received or ended."""
    done: int = bus.handle(c.ExpireExternalAlerts(actor=SYSTEM))
    due: tuple[DueFeed, ...] = bus.handle(c.ClaimDueFeeds(actor=SYSTEM))
    if not due:
        return done
    chosen = reader or AtomCapFeedReader()
    with ThreadPoolExecutor(max_workers=min(READERS, len(due)), thread_name_prefix="feed") as pool:
        reads = {pool.submit(_read, chosen, feed): feed for feed in due}
        for future in as_completed(reads):
            report = _record(bus, reads[future], *future.result())
            done += report.received + report.ended
    return done


def _read(reader: FeedReader, feed: DueFeed) -> tuple[FeedRead | None, str | None]:
    try:
        return reader.read(feed), None
    except CrisislinkError as error:
        return None, error.message
    except Exception as error:  # any failure of one feed is that feed's outcome, not the round's
        log.warning("reading the feed %s failed unexpectedly", feed.url, exc_info=True)
        return None, f"the feed could not be read ({type(error).__name__})"


def _record(bus: MessageBus, feed: DueFeed, read: FeedRead | None, error: str | None) -> PollReport:
    try:
        report: PollReport = bus.handle(
            c.RecordFeedPoll(actor=SYSTEM, feed_id=feed.feed_id, read=read, error=error)
        )
    except Exception:  # e.g. unsubscribed meanwhile, or a lost race: the other feeds go on
        log.warning("the poll of %s could not be stored; it is read again later", feed.url, exc_info=True)
        return PollReport(failed=True)
    return report
