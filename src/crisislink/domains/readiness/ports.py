"""What the readiness capability needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from crisislink.domains.readiness.plans import CommTestPlan
from crisislink.domains.readiness.rota import Desk, DutyShift, Handover
from crisislink.domains.readiness.runs import CommTestRun, Recipient
from crisislink.kernel.markings import Label


@dataclass(frozen=True)
class ContactFacts:
    """A point of contact as this capability reads it from the directory."""

    id: uuid.UUID
    partner_id: uuid.UUID
    name: str
    role: str
    channels: tuple[tuple[str, str], ...]  # (kind, value), in the directory's order
    label: Label
    home_node_id: uuid.UUID

    def recipients(self) -> list[Recipient]:
        return [Recipient(name=self.name, channel=kind, address=value) for kind, value in self.channels]


@dataclass(frozen=True)
class PartnerFacts:
    id: uuid.UUID
    country: str
    kind: str


@dataclass(frozen=True)
class PersonFacts:
    name: str
    email: str | None


class Network(Protocol):
    """The directory, read-only. `seen_by` is a partner: only contacts its staff may see are returned."""

    def contact(self, contact_point_id: uuid.UUID) -> ContactFacts | None: ...
    def contacts(self, seen_by: uuid.UUID, partners: frozenset[uuid.UUID]) -> Sequence[ContactFacts]:
        """Every contact of these partners (all partners if empty), in a stable order."""
        ...

    def desks_of(self, partner_id: uuid.UUID, seen_by: uuid.UUID) -> Sequence[ContactFacts]:
        """The partner's 24/7 desks."""
        ...

    def national_desks(self, country: str, seen_by: uuid.UUID) -> Sequence[ContactFacts]:
        """The 24/7 desks of the country's national crisis centres."""
        ...

    def partner(self, partner_id: uuid.UUID) -> PartnerFacts | None: ...
    def person(self, user_id: uuid.UUID) -> PersonFacts | None: ...
    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender hands on: the text, the recipient, and the plain acknowledgement code."""

    message_id: uuid.UUID
    run_id: uuid.UUID
    run_name: str
    text: str
    recipient: Recipient
    code: str
    closes_at: datetime
    on_behalf_of: str | None  # the contact that did not answer, when this is an escalation


@dataclass(frozen=True)
class DeliveryReport:
    sent: bool
    detail: str | None = None


class Sender(Protocol):
    """Hands one message to a channel. Never raises for a delivery problem: it reports it."""

    def send(self, message: OutgoingMessage) -> DeliveryReport: ...


@dataclass(frozen=True)
class Notice:
    """A plain message to a desk or a person: words to read, no code to acknowledge, no deadline.

    The platform tells 24/7 desks of what happened elsewhere through it (e.g. a request for assistance), on
    the same channels as communication tests, without borrowing a test's run, code and closing time.
    """

    notice_id: uuid.UUID
    recipient: Recipient
    subject: str
    body: str


@runtime_checkable
class NoticeSender(Protocol):
    """Hands one notice to a channel. Never raises for a delivery problem: it reports it."""

    def send_notice(self, notice: Notice) -> DeliveryReport: ...


class ShiftRepository(Protocol):
    def add(self, shift: DutyShift) -> None: ...
    def get(self, shift_id: uuid.UUID) -> DutyShift: ...
    def remove(self, shift: DutyShift) -> None: ...
    def at_desk(self, contact_point_id: uuid.UUID, starts: datetime, ends: datetime) -> Sequence[DutyShift]:
        """The desk's shifts that overlap [starts, ends)."""
        ...


class DeskRepository(Protocol):
    def add(self, desk: Desk) -> None: ...
    def find(self, contact_point_id: uuid.UUID) -> Desk | None: ...
    def tracked(self) -> Sequence[Desk]:
        """Every desk with a rota whose point of contact still exists."""
        ...


class HandoverRepository(Protocol):
    def add(self, handover: Handover) -> None: ...


class PlanRepository(Protocol):
    def add(self, plan: CommTestPlan) -> None: ...
    def get(self, plan_id: uuid.UUID) -> CommTestPlan: ...
    def due(self, moment: datetime) -> Sequence[CommTestPlan]: ...


class RunRepository(Protocol):
    def add(self, run: CommTestRun) -> None: ...
    def get(self, run_id: uuid.UUID) -> CommTestRun: ...
    def with_token(self, token_hash: str) -> CommTestRun:
        """The run holding a message with this code hash; NotFound if none."""
        ...

    def open_runs(self) -> Sequence[CommTestRun]: ...


class ReadinessUnitOfWork(Protocol):
    @property
    def duty_shifts(self) -> ShiftRepository: ...
    @property
    def duty_desks(self) -> DeskRepository: ...
    @property
    def handovers(self) -> HandoverRepository: ...
    @property
    def comm_test_plans(self) -> PlanRepository: ...
    @property
    def comm_test_runs(self) -> RunRepository: ...
    @property
    def readiness_network(self) -> Network: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def commit(self) -> None: ...
