"""Tell a dataset's responsible point of contact that its data stopped arriving, and that it arrives again.

docs/datasets.md §Staleness. Two halves, as for the notices of mutual assistance
(`app/assistance_notifications.py`):

* The event consumer `datasets.stale_notices` writes one notice per `DatasetStale` (raised once per
  episode by the schedule) in the transaction that moves its cursor past the event, so each episode is
  queued exactly once however often the dispatcher redelivers it. The notice goes to the contact point the
  event names, on its e-mail (a written trace), else its first channel, in its working languages. A contact
  no longer in the directory gets an `unreachable` row, so the gap shows. On `DatasetFresh` the contact told
  of the episode is told it is over; an episode whose start was never told (it began before the upgrade)
  has no end to tell. The migration that brought the consumer placed its cursor at the last event then
  written: a node upgraded does not tell of past episodes.
* The schedule's round (`deliver_dataset_contact_notices`) is the shared round of `app/notice_rounds.py`:
  one notice at a time, claimed under a lease, handed over with no transaction open, the outcome recorded,
  retried with back-off, given up after `MAX_ATTEMPTS`, for at most `ROUND_SECONDS`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db import dataset_contact_notices as store
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.app.bus import CommandHandler, MessageBus
from crisislink.app.notice_rounds import (
    NoticeRules,
    ReadyNotice,
    claim_due,
    deliver_round,
    notice_sender,
    record_outcome,
)
from crisislink.app.settings import Settings
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.contact_notices import (
    ClaimDatasetContactNotice,
    ComposedNotice,
    ContactNoticeFacts,
    NoticeKind,
    PublisherName,
    RecordDatasetContactNotice,
    compose,
    notice_languages,
)
from crisislink.domains.datasets.model import Dataset
from crisislink.domains.readiness.ports import DeliveryReport, NoticeSender, Sender
from crisislink.domains.readiness.runs import Recipient
from crisislink.domains.sharing.contacts import ContactPoint
from crisislink.domains.sharing.model import Partner
from crisislink.kernel.clock import Clock
from crisislink.kernel.errors import NotFound
from crisislink.kernel.messages import SYSTEM, Command, Event

CONSUMER: Final = "datasets.stale_notices"
EVENT_TYPES: Final = frozenset({e.DatasetStale.TYPE, e.DatasetFresh.TYPE})
CONSOLE_PAGE: Final = "/datasets/"
MAX_ATTEMPTS: Final = 4
FIRST_RETRY: Final = timedelta(minutes=1)
LEASE: Final = timedelta(minutes=5)  # a claim with no outcome after this is taken again
ROUND_SECONDS: Final = 10.0  # a round takes no new notice after this much wall time
RULES: Final = NoticeRules(
    record_prefix="dataset-contact-notice",
    noun="dataset contact notice",
    max_attempts=MAX_ATTEMPTS,
    first_retry=FIRST_RETRY,
    lease=LEASE,
)
Now = Callable[[], datetime]


def _contact_channel(contact: ContactPoint) -> Recipient:
    """The contact's e-mail (a written trace whoever answers for it reads), else its first channel."""
    channels = [Recipient(contact.name, channel.kind.value, channel.value) for channel in contact.channels]
    emails = [recipient for recipient in channels if recipient.channel == "email"]
    return (emails or channels)[0]  # a point of contact has at least one channel


def _contact(uow: SqlUnitOfWork, contact_point_id: uuid.UUID) -> ContactPoint | None:
    try:
        return uow.contact_points.get(contact_point_id)
    except NotFound:
        return None  # removed from the directory since the dataset named it


class StaleNoticeQueue:
    """The event consumer: queues the notice of a stale dataset, and of its data arriving again."""

    def __init__(self, public_url: str, now: Now) -> None:
        self._link_base = public_url.rstrip("/") + CONSOLE_PAGE
        self._now = now

    def consumer(self) -> Consumer:
        return Consumer(CONSUMER, EVENT_TYPES, self)

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        if not isinstance(event, e.DatasetStale | e.DatasetFresh):
            return
        if event.label.home_node_id != uow.node_id:
            return  # the dataset's home node tells its contact; a node holding a copy would tell it twice
        dataset = uow.datasets.get(event.dataset_id)
        if isinstance(event, e.DatasetStale):
            facts = _facts(uow, dataset, NoticeKind.STALE, event.last_observed_at)
            # As flagged, should the dataset's interval have changed since.
            every = replace(facts, expected_every_seconds=event.expected_every_seconds)
            self._queue(uow, event, every, event.contact_point_id)
            return
        told = store.last_notice(uow.connection, dataset.id)
        if told is None or told.event_type != e.DatasetStale.TYPE:
            return  # the contact was not told this episode began (before the upgrade): no end to tell
        facts = _facts(uow, dataset, NoticeKind.FRESH, event.last_observed_at)
        self._queue(uow, event, replace(facts, stale_since=told.created_at), told.contact_point_id)

    def _queue(
        self,
        uow: SqlUnitOfWork,
        event: e.DatasetStale | e.DatasetFresh,
        facts: ContactNoticeFacts,
        contact_point_id: uuid.UUID,
    ) -> None:
        contact = _contact(uow, contact_point_id)
        publisher = _publisher(uow, event.label.owner_partner_id)
        languages = notice_languages(contact.languages if contact else (), publisher.languages)
        notice = compose(facts, languages, f"{self._link_base}{facts.dataset_id}")
        queued = _queued(event, contact_point_id, notice, _contact_channel(contact) if contact else None)
        unreachable = (
            None if contact else "its point of contact is no longer in the directory: nobody was told"
        )
        notice_id = store.queue(uow.connection, queued, self._now(), unreachable)
        uow.touched(f"{RULES.record_prefix}:{notice_id}")


def _publisher(uow: SqlUnitOfWork, owner_partner_id: uuid.UUID | None) -> Partner:
    assert owner_partner_id is not None  # a dataset is always a partner's (only nodes have no owner)
    return uow.partners.get(owner_partner_id)


def _facts(
    uow: SqlUnitOfWork, dataset: Dataset, kind: NoticeKind, last_observed_at: datetime | None
) -> ContactNoticeFacts:
    """The dataset as the notice tells it: its title, its publisher, its newest observation and interval."""
    publisher = _publisher(uow, dataset.label.owner_partner_id)
    return ContactNoticeFacts(
        kind=kind,
        dataset_id=dataset.id,
        title=dataset.title,
        publisher=PublisherName(publisher.name, dict(publisher.names)),
        last_observed_at=last_observed_at,
        expected_every_seconds=int(dataset.refresh.total_seconds()),
    )


def _queued(
    event: e.DatasetStale | e.DatasetFresh,
    contact_point_id: uuid.UUID,
    notice: ComposedNotice,
    recipient: Recipient | None,
) -> store.QueuedNotice:
    return store.QueuedNotice(
        label=event.label,
        event_type=event.TYPE,
        dataset_id=event.dataset_id,
        contact_point_id=contact_point_id,
        recipient=recipient,
        languages=notice.languages,
        subject=notice.subject,
        body=notice.body,
    )


def claim(
    cmd: ClaimDatasetContactNotice,  # noqa: ARG001 -- the command says only "now"
    uow: SqlUnitOfWork,
    sender: NoticeSender,
    now: Now,
) -> ReadyNotice | None:
    """Mark the next due notice `sending` under a lease and commit; None when nothing is due."""
    return claim_due(uow, store, RULES, sender, now)


def record(cmd: RecordDatasetContactNotice, uow: SqlUnitOfWork, now: Now) -> None:
    report = DeliveryReport(sent=cmd.sent, detail=cmd.detail)
    record_outcome(uow, store, RULES, cmd.notice_id, report, now)


def _outcome(notice_id: uuid.UUID, report: DeliveryReport) -> RecordDatasetContactNotice:
    return RecordDatasetContactNotice(
        actor=SYSTEM, notice_id=notice_id, sent=report.sent, detail=report.detail
    )


def deliver_dataset_contact_notices(
    bus: MessageBus, *, seconds: float = ROUND_SECONDS, timer: Callable[[], float] = time.monotonic
) -> int:
    """The schedule's round for the notices to datasets' contacts. Returns how many were handed over."""
    return deliver_round(
        bus, RULES, partial(ClaimDatasetContactNotice, actor=SYSTEM), _outcome, seconds=seconds, timer=timer
    )


def stale_notice_consumers(settings: Settings, clock: Clock) -> dict[str, Consumer]:
    queue = StaleNoticeQueue(settings.public_url, clock.now)
    return {CONSUMER: queue.consumer()}


def stale_notice_handlers(
    settings: Settings, clock: Clock, sender: Sender | None
) -> dict[type[Command], CommandHandler]:
    channels = notice_sender(settings, sender)
    return {
        ClaimDatasetContactNotice: partial(claim, sender=channels, now=clock.now),
        RecordDatasetContactNotice: partial(record, now=clock.now),
    }
