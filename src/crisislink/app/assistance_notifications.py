"""Tell the 24/7 desks of the partners named in an assistance event's `notify` (docs/assistance.md §Notification).

Two halves, as for dataset webhooks and warning publications:

* The event consumer `assistance.notifications` writes one notice per message in the transaction that moves
  its cursor past the event (or marks its parked delivery done): each event is queued exactly once, since
  the dispatcher redelivers an event only when the earlier delivery rolled back, queueing nothing. For each notified partner it finds the
  partner's 24/7 desks in the directory and, through the readiness rota, the person holding each desk now:
  the desk is written to on its e-mail (else its first channel), the holder on their phone, else the e-mail
  of their account. A partner with no desk gets an `unreachable` row, so the gap shows. A person reached
  through two desks of one partner is told once. The migration that brought the consumer placed its cursor
  at the last event then written: a node upgraded does not tell the desks of steps taken before.
* The schedule's round (`deliver_assistance_notifications`) takes one due notice at a time: it claims it and
  commits the claim, hands it to the readiness senders with no transaction open, then records the outcome.
  The claim is a lease (`LEASE`): a notice left `sending` (a node stopped mid-send, or its outcome could not
  be written) is taken again once the lease has run out, marked as possibly sent already; a desk told twice
  beats a desk never told. A channel that reports a failure is tried again with back-off, up to
  `MAX_ATTEMPTS`. A round stops taking notices after `ROUND_SECONDS`, so a slow relay does not hold up the
  rest of the schedule: what is left goes out in the next round. The round itself is `app/notice_rounds.py`,
  shared with the notices to datasets' contacts.
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
from crisislink.adapters.db import assistance_notifications as store
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
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance.notifications import (
    ClaimAssistanceNotification,
    ComposedNotice,
    NoticeFacts,
    PartnerName,
    RecordAssistanceNotification,
    Step,
    compose,
    notice_languages,
)
from crisislink.domains.assistance.offers import Offer
from crisislink.domains.assistance.requests import AssistanceRequest
from crisislink.domains.readiness.ports import ContactFacts, DeliveryReport, NoticeSender, Sender
from crisislink.domains.readiness.rota import desk_state
from crisislink.domains.readiness.runs import Recipient
from crisislink.domains.sharing.model import Partner
from crisislink.kernel.clock import Clock
from crisislink.kernel.messages import SYSTEM, Command, Event

CONSUMER: Final = "assistance.notifications"
NOTIFYING = (e.AssistanceRequestSent, e.AssistanceRequestStatusChanged, e.OfferMade, e.OfferStatusChanged)
EVENT_TYPES: Final = frozenset(kind.TYPE for kind in NOTIFYING)
CONSOLE_PAGE: Final = "/assistance/"
MAX_ATTEMPTS: Final = 4
FIRST_RETRY: Final = timedelta(minutes=1)
LEASE: Final = timedelta(minutes=5)  # a claim with no outcome after this is taken again
ROUND_SECONDS: Final = 10.0  # a round takes no new notice after this much wall time
_INSTANT = timedelta(microseconds=1)
Now = Callable[[], datetime]
NotifyingEvent = (
    e.AssistanceRequestSent | e.AssistanceRequestStatusChanged | e.OfferMade | e.OfferStatusChanged
)


def _name(partner: Partner) -> PartnerName:
    return PartnerName(partner.name, dict(partner.names))


def _facts(
    event: NotifyingEvent, request: AssistanceRequest, offer: Offer | None, uow: SqlUnitOfWork
) -> NoticeFacts:
    """The step as the notice tells it: the event's own figures, the rest from the request and offer."""
    facts = NoticeFacts(
        step=Step.REQUEST_SENT,
        request_id=request.id,
        requester=_name(uow.partners.get(request.requester)),
        capability=request.capability,
        quantity=request.quantity,
    )
    if isinstance(event, e.AssistanceRequestSent):
        return replace(facts, quantity=event.quantity, respond_by=event.respond_by)
    if isinstance(event, e.AssistanceRequestStatusChanged):
        return replace(
            facts, step=Step.REQUEST_STATUS, status=event.status, accepted=event.accepted, reason=event.reason
        )
    assert offer is not None  # the consumer loads the offer of an offer's event
    facts = replace(facts, offerer=_name(uow.partners.get(offer.offerer)), quantity=offer.quantity)
    if isinstance(event, e.OfferMade):
        return replace(
            facts, step=Step.OFFER_MADE, quantity=event.quantity, available_from=event.available_from
        )
    return replace(
        facts, step=Step.OFFER_STATUS, status=event.status, accepted=event.accepted, reason=event.reason
    )


def _desk_channel(desk: ContactFacts) -> list[Recipient]:
    """The desk's own address: its e-mail (a written trace the whole desk reads), else its first channel."""
    channels = desk.recipients()
    emails = [recipient for recipient in channels if recipient.channel == "email"]
    return (emails or channels)[:1]


def _holder(uow: SqlUnitOfWork, desk_id: uuid.UUID, moment: datetime) -> Recipient | None:
    """The person holding the desk now (readiness rota), on their phone, else their account's e-mail."""
    state = desk_state(uow.duty_shifts.at_desk(desk_id, moment, moment + _INSTANT), moment)
    if state.holder is None:
        return None
    person = state.holder.person
    if person.phone:
        return Recipient(name=person.name, channel="phone", address=person.phone)
    facts = uow.readiness_network.person(person.user_id) if person.user_id else None
    if facts is not None and facts.email:
        return Recipient(name=person.name, channel="email", address=facts.email)
    return None


def _recipients(
    uow: SqlUnitOfWork, desk: ContactFacts, moment: datetime
) -> list[tuple[str, Recipient | None]]:
    """How the desk is reached: (`desk` or `on_duty`, where), each address once."""
    found = [("desk", recipient) for recipient in _desk_channel(desk)]
    holder = _holder(uow, desk.id, moment)
    if holder is not None:
        found.append(("on_duty", holder))
    unique: dict[tuple[str, str], tuple[str, Recipient | None]] = {}
    for reached, recipient in found:
        unique.setdefault(_address_key(recipient), (reached, recipient))
    return list(unique.values())


def _address_key(recipient: Recipient | None) -> tuple[str, str]:
    """One address however it is written (case, spaces around it)."""
    if recipient is None:
        return ("", "")
    return (recipient.channel, recipient.address.strip().lower())


def _offer_id(event: NotifyingEvent) -> uuid.UUID | None:
    return event.offer_id if isinstance(event, e.OfferMade | e.OfferStatusChanged) else None


def _queued(
    event: NotifyingEvent,
    partner_id: uuid.UUID,
    notice: ComposedNotice,
    desk_id: uuid.UUID | None = None,
    reached: tuple[str, Recipient | None] = ("nobody", None),
) -> store.QueuedNotice:
    return store.QueuedNotice(
        label=event.label,
        event_type=event.TYPE,
        request_id=event.request_id,
        offer_id=_offer_id(event),
        partner_id=partner_id,
        contact_point_id=desk_id,
        reached=reached[0],
        recipient=reached[1],
        languages=notice.languages,
        subject=notice.subject,
        body=notice.body,
    )


class NotificationQueue:
    """The event consumer: queues the notices of one step for every desk of every partner it names."""

    def __init__(self, public_url: str, now: Now) -> None:
        self._link_base = public_url.rstrip("/") + CONSOLE_PAGE
        self._now = now

    def consumer(self) -> Consumer:
        return Consumer(CONSUMER, EVENT_TYPES, self)

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        if not isinstance(event, NOTIFYING) or not event.notify:
            return
        if event.label.home_node_id != uow.node_id:
            return  # the record's home node tells the desks; a node holding a copy would tell them twice
        request = uow.assistance_requests.get(event.request_id)
        offer_id = _offer_id(event)
        offer = uow.assistance_offers.get(offer_id) if offer_id else None
        facts = _facts(event, request, offer, uow)
        for partner_id in dict.fromkeys(event.notify):
            self._queue_for(uow, event, facts, uow.partners.get(partner_id))

    def _queue_for(
        self, uow: SqlUnitOfWork, event: NotifyingEvent, facts: NoticeFacts, partner: Partner
    ) -> None:
        moment = self._now()
        desks = uow.readiness_network.desks_of(partner.id, seen_by=partner.id)  # its own desks, all of them
        if not desks:
            notice = self._compose(facts, partner.languages, partner)
            reason = f"{partner.name} has no 24/7 duty desk in the directory: nobody was told"
            _keep(uow, _queued(event, partner.id, notice), moment, unreachable_because=reason)
            return
        told: set[tuple[str, str]] = set()  # one person holding two of its desks is told once
        for desk in desks:
            notice = self._compose(facts, uow.contact_points.get(desk.id).languages, partner)
            for reached in _recipients(uow, desk, moment):
                address = _address_key(reached[1])
                if address not in told:
                    told.add(address)
                    _keep(uow, _queued(event, partner.id, notice, desk.id, reached), moment)

    def _compose(
        self, facts: NoticeFacts, desk_languages: tuple[str, ...], partner: Partner
    ) -> ComposedNotice:
        languages = notice_languages(desk_languages, partner.languages)
        return compose(facts, languages, partner.country, f"{self._link_base}{facts.request_id}")


def _keep(
    uow: SqlUnitOfWork, queued: store.QueuedNotice, moment: datetime, unreachable_because: str | None = None
) -> None:
    notice_id = store.queue(uow.connection, queued, moment, unreachable_because)
    uow.touched(f"assistance-notification:{notice_id}")


RULES: Final = NoticeRules(
    record_prefix="assistance-notification",
    noun="desk notice",
    max_attempts=MAX_ATTEMPTS,
    first_retry=FIRST_RETRY,
    lease=LEASE,
)


def claim(
    cmd: ClaimAssistanceNotification,  # noqa: ARG001 -- the command says only "now"
    uow: SqlUnitOfWork,
    sender: NoticeSender,
    now: Now,
) -> ReadyNotice | None:
    """Mark the next due notice `sending` under a lease and commit; None when nothing is due."""
    return claim_due(uow, store, RULES, sender, now)


def record(cmd: RecordAssistanceNotification, uow: SqlUnitOfWork, now: Now) -> None:
    report = DeliveryReport(sent=cmd.sent, detail=cmd.detail)
    record_outcome(uow, store, RULES, cmd.notification_id, report, now)


def _outcome(notice_id: uuid.UUID, report: DeliveryReport) -> RecordAssistanceNotification:
    return RecordAssistanceNotification(
        actor=SYSTEM, notification_id=notice_id, sent=report.sent, detail=report.detail
    )


def deliver_assistance_notifications(
    bus: MessageBus, *, seconds: float = ROUND_SECONDS, timer: Callable[[], float] = time.monotonic
) -> int:
    """The schedule's round: claim one due notice, hand it to its channel with no transaction open (a slow
    SMTP relay holds up no writer), record what the channel said; again, until none is due or `seconds`
    have gone by. Returns how many were handed over."""
    return deliver_round(
        bus, RULES, partial(ClaimAssistanceNotification, actor=SYSTEM), _outcome, seconds=seconds, timer=timer
    )


def desk_notice_consumers(settings: Settings, clock: Clock) -> dict[str, Consumer]:
    queue = NotificationQueue(settings.public_url, clock.now)
    return {CONSUMER: queue.consumer()}


def desk_notice_handlers(
    settings: Settings, clock: Clock, sender: Sender | None
) -> dict[type[Command], CommandHandler]:
    channels = notice_sender(settings, sender)
    return {
        ClaimAssistanceNotification: partial(claim, sender=channels, now=clock.now),
        RecordAssistanceNotification: partial(record, now=clock.now),
    }
