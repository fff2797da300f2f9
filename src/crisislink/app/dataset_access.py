"""Wiring of dataset access requests, webhooks and pull sources (docs/dataset-delivery.md)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db.dataset_access_repositories import AccessRequestStore
from crisislink.app import dataset_pull, dataset_webhooks
from crisislink.app.bus import CommandHandler, MessageBus
from crisislink.app.datasets import actor_may_see
from crisislink.domains.datasets import access_commands as ac
from crisislink.domains.datasets import access_handlers as ah
from crisislink.domains.datasets import delivery_commands as dc
from crisislink.domains.datasets.access_events import ACCESS_EVENTS
from crisislink.kernel.clock import Clock
from crisislink.kernel.messages import SYSTEM, Command, Event

log = logging.getLogger(__name__)
EVENTS: tuple[type[Event], ...] = ACCESS_EVENTS


def _stores(uow: Any) -> AccessRequestStore:
    return AccessRequestStore(uow.connection)


def dataset_access_handlers(clock: Clock) -> dict[type[Command], CommandHandler]:
    now = clock.now
    return {
        ac.RequestDatasetAccess: partial(ah.request_access, stores=_stores, may_see=actor_may_see, now=now),
        ac.GrantDatasetAccess: partial(ah.grant_access, stores=_stores, now=now),
        ac.RefuseDatasetAccess: partial(ah.refuse_access, stores=_stores, now=now),
        ac.RevokeDatasetAccess: partial(ah.revoke_access, stores=_stores, now=now),
        ac.EndExpiredDatasetAccess: partial(ah.end_expired_access, stores=_stores, now=now),
        dc.SubscribeWebhook: partial(dataset_webhooks.subscribe, now=now),
        dc.UnsubscribeWebhook: dataset_webhooks.unsubscribe,
        dc.ClaimWebhookDeliveries: partial(dataset_webhooks.claim, now=now),
        dc.RecordWebhookAttempt: partial(dataset_webhooks.record, now=now),
        dc.SetPullSource: partial(dataset_pull.set_source, now=now),
        dc.RemovePullSource: dataset_pull.remove_source,
        dc.ClaimDuePullSources: partial(dataset_pull.claim, now=now),
        dc.RecordPull: partial(dataset_pull.record, now=now),
    }


def dataset_access_consumers(clock: Clock) -> dict[str, Consumer]:
    queue = dataset_webhooks.WebhookQueue(clock.now)
    return {queue.consumer().name: queue.consumer()}


def run_dataset_delivery(bus: MessageBus) -> int:
    """The schedule's round: end expired grants, poll due pull sources, send due webhooks."""
    done: int = bus.handle(ac.EndExpiredDatasetAccess(actor=SYSTEM))
    done += dataset_pull.poll_due_sources(bus)
    done += dataset_webhooks.deliver_due_webhooks(bus)
    return done
