"""A communication-test run: one probe per point of contact, its messages, answers and escalation.

Each message carries its own acknowledgement code: unguessable (256 random bits), kept here only as a
SHA-256 hash, good for one use. The plain code lives in memory just long enough to be handed to the
sender (`Message.code`, never stored). A probe that stays unanswered moves along its escalation chain
(the contact's deputy or on-duty person, the partner's other 24/7 desks, the country's national desk)
every `escalate_after`; the run closes at its deadline and what is still unanswered is "no answer".
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, NotFound
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label


class StepKind(enum.StrEnum):
    CONTACT = "contact"  # the point of contact itself, on each of its channels
    ROTA = "rota"  # the person on duty there: a deputy on shift, else the primary (their own phone)
    PARTNER_DESK = "partner_desk"  # another 24/7 desk of the same partner
    NATIONAL_DESK = "national_desk"  # the 24/7 desk of the country's national crisis centre


@dataclass(frozen=True)
class Step:
    kind: StepKind
    contact_point_id: uuid.UUID


class Delivery(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class ProbeStatus(enum.StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    NO_ANSWER = "no_answer"


class Outcome(enum.StrEnum):
    """A probe's result, as the results tables and charts show it."""

    ACKNOWLEDGED = "acknowledged"
    AFTER_ESCALATION = "acknowledged_after_escalation"
    NO_ANSWER = "no_answer"
    PENDING = "pending"


@dataclass(frozen=True)
class Recipient:
    """Where one message goes: a named desk or person, on one channel."""

    name: str
    channel: str  # a channel kind of the directory: phone, email, radio, secure_line, fax
    address: str


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(kw_only=True, eq=False)
class Message:
    id: uuid.UUID
    step: int
    recipient: Recipient
    sent_at: datetime
    token_hash: str
    used_at: datetime | None = None
    delivery: Delivery = Delivery.QUEUED
    detail: str | None = None
    code: str | None = field(default=None, repr=False)  # the plain code, in memory until sent

    @classmethod
    def issue(cls, step: int, recipient: Recipient, at: datetime) -> Message:
        code = secrets.token_urlsafe(32)
        return cls(
            id=new_id(), step=step, recipient=recipient, sent_at=at, token_hash=hash_code(code), code=code
        )

    def delivered(self, sent: bool, detail: str | None) -> None:
        self.delivery = Delivery.SENT if sent else Delivery.FAILED
        self.detail = detail[:300] if detail else None
        self.code = None


@dataclass(kw_only=True, eq=False)
class Probe:
    """The test of one point of contact. Its label is the contact's (as it was when the run started)."""

    id: uuid.UUID
    label: Label
    contact_point_id: uuid.UUID
    partner_id: uuid.UUID
    contact_name: str
    chain: tuple[Step, ...]
    sent_at: datetime
    escalate_at: datetime | None
    step: int = 0
    status: ProbeStatus = ProbeStatus.PENDING
    acknowledged_at: datetime | None = None
    acknowledged_step: int | None = None
    acknowledged_via: str | None = None
    recorded_by: uuid.UUID | None = None  # someone who recorded an answer heard by phone
    messages: list[Message] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        if self.status is ProbeStatus.NO_ANSWER:
            return Outcome.NO_ANSWER
        if self.status is ProbeStatus.PENDING:
            return Outcome.PENDING
        return Outcome.ACKNOWLEDGED if not self.acknowledged_step else Outcome.AFTER_ESCALATION

    @property
    def delay(self) -> timedelta | None:
        return None if self.acknowledged_at is None else self.acknowledged_at - self.sent_at

    def _answer(self, at: datetime, via: str) -> None:
        self.status, self.acknowledged_at, self.acknowledged_via = ProbeStatus.ACKNOWLEDGED, at, via
        # Escalation had to happen if the chain moved on, whoever answered in the end.
        self.acknowledged_step, self.escalate_at = self.step, None


class RunStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(kw_only=True, eq=False)
class CommTestRun(Shareable):
    plan_id: uuid.UUID | None  # None: started ad hoc, without a plan
    name: str
    message: str
    partners: frozenset[uuid.UUID]  # the scope asked for; empty: the whole network
    started_at: datetime
    started_by: uuid.UUID | None
    closes_at: datetime
    escalate_after: timedelta
    status: RunStatus = RunStatus.OPEN
    closed_at: datetime | None = None
    probes: list[Probe] = field(default_factory=list)

    def probe(self, probe_id: uuid.UUID) -> Probe:
        for probe in self.probes:
            if probe.id == probe_id:
                return probe
        raise NotFound(f"no probe {probe_id} in this communication test")

    def message_with(self, token_hash: str) -> tuple[Probe, Message]:
        for probe in self.probes:
            for message in probe.messages:
                if message.token_hash == token_hash:
                    return probe, message
        raise NotFound("unknown acknowledgement code; check that the link was copied whole")

    def require_open(self, now: datetime) -> None:
        if self.status is RunStatus.CLOSED or now >= self.closes_at:
            closed = self.closed_at or self.closes_at
            raise Conflict(
                f"this communication test closed at {closed:%Y-%m-%d %H:%M} UTC; answers are no longer taken"
            )

    def acknowledge(self, token_hash: str, at: datetime) -> Probe:
        """The recipient of a message answered through its code. One use per code; one answer per probe."""
        probe, message = self.message_with(token_hash)
        if message.used_at is not None:
            raise Conflict("this acknowledgement code was used already; each code works once")
        self.require_open(at)
        if probe.status is not ProbeStatus.PENDING:
            raise Conflict(f"{probe.contact_name} has acknowledged this test already")
        message.used_at = at
        recipient = message.recipient
        probe._answer(at, f"{recipient.channel}: {recipient.name}")
        return probe

    def record_answer(
        self, probe_id: uuid.UUID, at: datetime, by_user_id: uuid.UUID | None, via: str
    ) -> Probe:
        """An answer the organiser heard another way (by phone, radio) and records by hand."""
        self.require_open(at)
        probe = self.probe(probe_id)
        if probe.status is not ProbeStatus.PENDING:
            raise Conflict(f"{probe.contact_name} has acknowledged this test already")
        probe._answer(at, via)
        probe.recorded_by = by_user_id
        return probe

    def due_for_escalation(self, now: datetime) -> list[Probe]:
        return [
            p
            for p in self.probes
            if p.status is ProbeStatus.PENDING and p.escalate_at is not None and p.escalate_at <= now
        ]

    def is_due_to_close(self, now: datetime) -> bool:
        return self.status is RunStatus.OPEN and now >= self.closes_at

    def close(self, now: datetime) -> list[Probe]:
        """Close the run; every probe still unanswered is recorded as "no answer"."""
        if self.status is RunStatus.CLOSED:
            raise Conflict("this communication test is closed already")
        self.status, self.closed_at = RunStatus.CLOSED, now
        unanswered = [p for p in self.probes if p.status is ProbeStatus.PENDING]
        for probe in unanswered:
            probe.status, probe.escalate_at = ProbeStatus.NO_ANSWER, None
        return unanswered

    def unsent(self) -> list[Message]:
        """Messages made in this unit of work and not handed to the sender yet."""
        return [m for p in self.probes for m in p.messages if m.code is not None]
