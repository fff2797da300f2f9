"""Who a communication test reaches at each step, and handing its messages to the sender.

Messages are made (with their codes) inside the unit of work and handed to the sender only after the
commit that stores their hashes, so a code always exists when its message arrives. What the sender
reports is committed next. A node that stops between the two leaves those messages "queued": never
sent, and shown so; the probe escalates as if unanswered.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.domains.readiness.ports import (
    ContactFacts,
    DeliveryReport,
    Network,
    OutgoingMessage,
    ReadinessUnitOfWork,
    Sender,
)
from crisislink.domains.readiness.rota import DutyShift, desk_state
from crisislink.domains.readiness.runs import CommTestRun, Message, Probe, Recipient, Step, StepKind

log = logging.getLogger(__name__)
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class CommTestRules:
    """Tunable; the default is what the incidents' neighbour notifications use (docs/readiness.md)."""

    escalate_after: timedelta = timedelta(minutes=15)


def chain_for(network: Network, contact: ContactFacts, seen_by: uuid.UUID) -> tuple[Step, ...]:
    """The contact, its on-duty person, the partner's other 24/7 desks, the country's national desks.

    Only contacts the organiser (`seen_by`) may see are in it: a test never reaches past the policy.
    """
    steps = [Step(StepKind.CONTACT, contact.id), Step(StepKind.ROTA, contact.id)]
    steps += [Step(StepKind.PARTNER_DESK, d.id) for d in network.desks_of(contact.partner_id, seen_by)]
    partner = network.partner(contact.partner_id)
    if partner is not None:
        national = network.national_desks(partner.country, seen_by)
        steps += [Step(StepKind.NATIONAL_DESK, d.id) for d in national if d.partner_id != contact.partner_id]
    seen = {contact.id}
    chain = steps[:2]
    for step in steps[2:]:
        if step.contact_point_id not in seen:
            seen.add(step.contact_point_id)
            chain.append(step)
    return tuple(chain)


def _on_duty(shifts: Iterable[DutyShift], moment: datetime) -> list[DutyShift]:
    """Whom to ring at a desk that did not answer: its deputies on shift first, then the holder."""
    state = desk_state(shifts, moment)
    people = [*state.deputies, *([state.holder] if state.holder else [])]
    return list({shift.id: shift for shift in people}.values())


def _person_recipients(uow: ReadinessUnitOfWork, shift: DutyShift) -> list[Recipient]:
    person = shift.person
    if person.phone:
        return [Recipient(name=person.name, channel="phone", address=person.phone)]
    facts = uow.readiness_network.person(person.user_id) if person.user_id else None
    if facts is not None and facts.email:
        return [Recipient(name=person.name, channel="email", address=facts.email)]
    return []


def recipients(uow: ReadinessUnitOfWork, step: Step, moment: datetime) -> list[Recipient]:
    if step.kind is StepKind.ROTA:
        for shift in _on_duty(
            uow.duty_shifts.at_desk(step.contact_point_id, moment, moment + _INSTANT), moment
        ):
            found = _person_recipients(uow, shift)
            if found:
                return found
        return []
    contact = uow.readiness_network.contact(step.contact_point_id)
    return contact.recipients() if contact is not None else []


def escalate(uow: ReadinessUnitOfWork, probe: Probe, moment: datetime, wait: timedelta) -> list[Message]:
    """Move to the next step that reaches someone; nothing left: wait for the deadline. The new messages."""
    for index in range(probe.step + 1, len(probe.chain)):
        found = recipients(uow, probe.chain[index], moment)
        if found:
            messages = [Message.issue(index, recipient, moment) for recipient in found]
            probe.step, probe.escalate_at = index, moment + wait
            probe.messages.extend(messages)
            return messages
    probe.escalate_at = None
    return []


def _outgoing(run: CommTestRun, probe: Probe, message: Message) -> OutgoingMessage:
    assert message.code is not None
    return OutgoingMessage(
        message_id=message.id,
        run_id=run.id,
        run_name=run.name,
        text=run.message,
        recipient=message.recipient,
        code=message.code,
        closes_at=run.closes_at,
        on_behalf_of=probe.contact_name if message.step else None,
    )


def _send(sender: Sender, outgoing: OutgoingMessage) -> DeliveryReport:
    try:
        return sender.send(outgoing)
    except Exception as error:  # noqa: BLE001 -- a faulty channel is a finding of the test, not a crash
        log.warning("the %s sender failed: %s", outgoing.recipient.channel, error)
        return DeliveryReport(sent=False, detail=f"the sender failed: {error}")


def deliver(uow: ReadinessUnitOfWork, runs: Iterable[CommTestRun], sender: Sender) -> int:
    """Hand every message made in this unit of work to the sender (after its commit); commit the reports."""
    sent = 0
    for run in runs:
        for probe in run.probes:
            for message in probe.messages:
                if message.code is None:
                    continue
                report = _send(sender, _outgoing(run, probe, message))
                message.delivered(report.sent, report.detail)
                sent += 1
    if sent:
        uow.commit()
    return sent
