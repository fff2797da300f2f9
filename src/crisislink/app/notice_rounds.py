"""The schedule's round over a table of queued notices, shared by every kind of notice the platform sends.

A round takes one due notice at a time: it claims it and commits the claim, hands it to the readiness
senders with no transaction open (a slow SMTP relay holds up no writer), then records the outcome. The claim
is a lease (`NoticeRules.lease`): a notice left `sending` is taken again once the lease has run out, marked
as possibly sent already. A channel that reports a failure is tried again with back-off, up to
`NoticeRules.max_attempts`. A round stops taking notices after the `seconds` it is given, so a slow relay
does not hold up the rest of the schedule. Each kind of notice has its own claim and record commands (its
capability's) and its own table (`adapters/db/notice_lifecycle.py`); the steps are the same.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa

from crisislink.adapters.db.notice_lifecycle import MAY_BE_SENT, DueNotice
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.app.bus import MessageBus
from crisislink.app.readiness import comm_test_sender
from crisislink.app.settings import Settings
from crisislink.domains.readiness.ports import DeliveryReport, Notice, NoticeSender
from crisislink.kernel.messages import Command

log = logging.getLogger(__name__)
Now = Callable[[], datetime]


class NoticeStore(Protocol):
    """A table of notices (a module of `adapters/db`): looked up on each call, so a test may replace one."""

    def claim_next(
        self, conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int
    ) -> DueNotice | None: ...

    def give_up_stranded(
        self, conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int
    ) -> list[uuid.UUID]: ...

    def record(
        self,
        conn: sa.Connection,
        notice_id: uuid.UUID,
        *,
        sent: bool,
        detail: str | None,
        now: datetime,
        retry_at: datetime | None,
    ) -> None: ...

    def attempts(self, conn: sa.Connection, notice_id: uuid.UUID) -> int | None: ...


@dataclass(frozen=True)
class NoticeRules:
    """How one kind of notice is sent: its name in the audit trail and the logs, its lease and back-off."""

    record_prefix: str  # the audit trail's name of a row: f"{record_prefix}:{id}"
    noun: str  # in the log: "desk notice", "contact notice"
    max_attempts: int
    first_retry: timedelta  # then twice as long after each failure
    lease: timedelta  # a claim with no outcome after this is taken again


@dataclass(frozen=True)
class ReadyNotice:
    """A claimed notice with the channels that carry it: the round hands it over outside the bus."""

    due: DueNotice
    channels: NoticeSender

    def send(self) -> DeliveryReport:
        due = self.due
        notice = Notice(notice_id=due.id, recipient=due.recipient, subject=due.subject, body=due.body)
        try:
            return self.channels.send_notice(notice)
        except Exception as error:  # noqa: BLE001 -- a broken channel is a failed delivery, recorded, not a crash
            log.warning("the %s sender failed on notice %s: %s", due.recipient.channel, due.id, error)
            return DeliveryReport(sent=False, detail=f"the sender failed: {error}")


def claim_due(
    uow: SqlUnitOfWork, store: NoticeStore, rules: NoticeRules, sender: NoticeSender, now: Now
) -> ReadyNotice | None:
    """Mark the next due notice `sending` under a lease and commit; None when nothing is due."""
    moment = now()
    given_up = store.give_up_stranded(uow.connection, moment, rules.lease, rules.max_attempts)
    due = store.claim_next(uow.connection, moment, rules.lease, rules.max_attempts)
    for notice_id in [*given_up, *([due.id] if due else [])]:
        uow.touched(f"{rules.record_prefix}:{notice_id}")
    uow.commit()
    return ReadyNotice(due, sender) if due else None


def retry_at(rules: NoticeRules, attempts: int, sent: bool, moment: datetime) -> datetime | None:
    if sent or attempts >= rules.max_attempts:
        return None
    return moment + rules.first_retry * (1 << (attempts - 1))  # 1, 2, 4... times the first wait


def record_outcome(
    uow: SqlUnitOfWork,
    store: NoticeStore,
    rules: NoticeRules,
    notice_id: uuid.UUID,
    report: DeliveryReport,
    now: Now,
) -> None:
    attempts = store.attempts(uow.connection, notice_id)
    if attempts is None:
        return  # not being handed over (recorded already): nothing to say
    moment = now()
    store.record(
        uow.connection,
        notice_id,
        sent=report.sent,
        detail=report.detail,
        now=moment,
        retry_at=retry_at(rules, attempts, report.sent, moment),
    )
    uow.touched(f"{rules.record_prefix}:{notice_id}")
    uow.commit()


def _detail(ready: ReadyNotice, report: DeliveryReport) -> str | None:
    """The channel's words, after the warning that an earlier attempt may have gone out."""
    if not ready.due.reclaimed:
        return report.detail
    return "; ".join(part for part in (MAY_BE_SENT, report.detail) if part)


ClaimCommand = Callable[[], Command]
RecordCommand = Callable[[uuid.UUID, DeliveryReport], Command]


def _record(bus: MessageBus, rules: NoticeRules, outcome: Command, notice_id: uuid.UUID) -> None:
    """Write the outcome; if that fails, the notice stays `sending` and goes out again after its lease."""
    try:
        bus.handle(outcome)
    except Exception:  # one notice's record must not stop the others being sent
        log.exception("the outcome of %s %s was not recorded; it is sent again later", rules.noun, notice_id)


def deliver_round(
    bus: MessageBus,
    rules: NoticeRules,
    claim: ClaimCommand,
    outcome: RecordCommand,
    *,
    seconds: float,
    timer: Callable[[], float] = time.monotonic,
) -> int:
    """Claim one due notice, hand it to its channel with no transaction open, record what the channel
    said; again, until none is due or `seconds` have gone by. Returns how many were handed over."""
    stop_at = timer() + seconds
    handed = 0
    while timer() < stop_at:
        ready: ReadyNotice | None = bus.handle(claim())
        if ready is None:
            break
        report = ready.send()
        said = DeliveryReport(sent=report.sent, detail=_detail(ready, report))
        _record(bus, rules, outcome(ready.due.id, said), ready.due.id)
        handed += 1
    return handed


def notice_sender(settings: Settings, sender: object) -> NoticeSender:
    """The node's sender when it carries plain notices (the one built from the settings always does)."""
    if isinstance(sender, NoticeSender):
        return sender
    return comm_test_sender(settings)
