"""Command handlers for neighbours' warning feeds: subscribe, unsubscribe, and the schedule's three steps.

Role names are the directory's (`domains/sharing`), written as plain strings: capabilities do not import
each other. A feed is managed by a node administrator, or by a partner administrator for their partner.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from crisislink.domains.warnings import external_commands as c
from crisislink.domains.warnings.external import ExternalAlert, ExternalFeed, check_feed_url
from crisislink.domains.warnings.external_ports import ExternalAlerts, ExternalUnitOfWork
from crisislink.domains.warnings.external_values import DueFeed, FeedEntry, PollReport
from crisislink.kernel.errors import Conflict, PermissionDenied
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
NODE_ADMIN = "node_admin"
PARTNER_ADMIN = "partner_admin"


def require_feed_admin(actor: Actor, owner_partner_id: uuid.UUID | None = None) -> uuid.UUID:
    """A node administrator, or a partner administrator (of the owning partner, for an existing feed)."""
    if actor.user_id is None or actor.partner_id is None:
        raise PermissionDenied("a feed is managed by a person on behalf of their partner; sign in first")
    if NODE_ADMIN in actor.roles:
        return actor.partner_id
    if PARTNER_ADMIN not in actor.roles:
        raise PermissionDenied(
            "managing neighbours' warning feeds needs the node administrator or partner administrator role; "
            "ask one of them"
        )
    if owner_partner_id is not None and owner_partner_id != actor.partner_id:
        raise PermissionDenied(
            "only an administrator of the partner that subscribed to this feed can change it"
        )
    return actor.partner_id


def require_system(actor: Actor) -> None:
    if not actor.is_system:
        raise PermissionDenied("feeds are read by the platform's schedule, not on request")


def subscribe_feed(cmd: c.SubscribeFeed, uow: ExternalUnitOfWork, now: Now) -> uuid.UUID:
    owner = require_feed_admin(cmd.actor)
    url = check_feed_url(cmd.url)
    if uow.external_feeds.by_url(url) is not None:
        raise Conflict(f"{url} is subscribed already; the feed list shows it and its last poll")
    feed = ExternalFeed.subscribe(
        label=Label(owner_partner_id=owner, home_node_id=uow.node_id, marking=cmd.marking),
        name=cmd.name,
        url=url,
        interval_seconds=cmd.interval_seconds,
        now=now(),
    )
    uow.external_feeds.add(feed)
    uow.commit()
    return feed.id


def unsubscribe_feed(cmd: c.UnsubscribeFeed, uow: ExternalUnitOfWork) -> int:
    """Returns how many messages were removed with the feed."""
    feed = uow.external_feeds.get(cmd.feed_id)
    require_feed_admin(cmd.actor, feed.label.owner_partner_id)
    alerts = uow.external_alerts.of_feed(feed.id)
    for alert in alerts:
        uow.external_alerts.remove(alert)
    feed.unsubscribe(len(alerts))
    uow.external_feeds.remove(feed)
    uow.commit()
    return len(alerts)


def claim_due_feeds(cmd: c.ClaimDueFeeds, uow: ExternalUnitOfWork, now: Now) -> tuple[DueFeed, ...]:
    require_system(cmd.actor)
    moment = now()
    feeds = uow.external_feeds.due(moment)
    if not feeds:
        return ()
    # Messages stored already need not be fetched again, whichever feed carried them.
    known = uow.external_alerts.recent(moment)
    for feed in feeds:
        feed.claim(moment)
    uow.commit()
    return tuple(DueFeed(feed.id, feed.url, feed.etag, known) for feed in feeds)


def record_feed_poll(cmd: c.RecordFeedPoll, uow: ExternalUnitOfWork, now: Now) -> PollReport:
    require_system(cmd.actor)
    feed = uow.external_feeds.get(cmd.feed_id)
    moment = now()
    if cmd.read is None:
        feed.failed(moment, cmd.error or "the feed could not be read")
        uow.commit()
        return PollReport(failed=True)
    received, ended = [], 0
    # Oldest first, so that an Update finds the message it replaces already stored.
    for entry in sorted(cmd.read.entries, key=lambda found: found.key.sent):
        alert, replaced = _receive(entry, feed, uow.external_alerts, moment)
        ended += replaced
        if alert is not None:
            received.append(alert)
    feed.succeeded(moment, cmd.read, len(received))
    uow.commit()
    duplicates = len(cmd.read.entries) - len(received)
    return PollReport(len(received), duplicates, ended, len(cmd.read.skipped))


def _receive(
    entry: FeedEntry, feed: ExternalFeed, alerts: ExternalAlerts, now: datetime
) -> tuple[ExternalAlert | None, int]:
    """Store a new message and apply it; (None, 0) for one stored already, whichever feed carried it."""
    if alerts.contains(entry.key):
        return None, 0
    # Only a message of the same sender updates or cancels one: a feed cannot end another sender's warnings.
    later = [
        other
        for other in alerts.referencing(entry.sender, entry.identifier)
        if other.replaces_others
        and other.sender == entry.sender
        and other.refers_to(entry.sender, entry.identifier)
    ]
    replaced_by = max(later, key=lambda other: other.sent) if later else None
    alert = ExternalAlert.receive(entry, feed, now, replaced_by)
    alerts.add(alert)
    if not alert.replaces_others:
        return alert, 0
    ended = 0
    for reference in alert.references:
        if reference.sender != alert.sender:
            continue
        for earlier in alerts.with_identifier(reference.sender, reference.identifier):
            ended += earlier.replace_with(alert)
    return alert, ended


def expire_external_alerts(cmd: c.ExpireExternalAlerts, uow: ExternalUnitOfWork, now: Now) -> int:
    require_system(cmd.actor)
    moment = now()
    expired = sum(alert.expire(moment) for alert in uow.external_alerts.past_end(moment))
    uow.commit()
    return expired
