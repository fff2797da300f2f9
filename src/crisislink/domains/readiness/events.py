"""What happened to rotas and communication tests. Payload fields are JSON-friendly by construction.

Rota events carry the label of their point of contact; communication-test events the label of their run.
Hand-over notes stay out of the events (they are kept in the hand-over record and the audit trail).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class ShiftScheduled(Event):
    TYPE = "crisislink.readiness.shift_scheduled"
    shift_id: uuid.UUID
    contact_point_id: uuid.UUID
    person_name: str
    role: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, kw_only=True)
class ShiftChanged(Event):
    TYPE = "crisislink.readiness.shift_changed"
    shift_id: uuid.UUID
    contact_point_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ShiftRemoved(Event):
    TYPE = "crisislink.readiness.shift_removed"
    shift_id: uuid.UUID
    contact_point_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ShiftAnnotated(Event):
    TYPE = "crisislink.readiness.shift_annotated"
    shift_id: uuid.UUID
    contact_point_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DeskHandedOver(Event):
    TYPE = "crisislink.readiness.desk_handed_over"
    handover_id: uuid.UUID
    contact_point_id: uuid.UUID
    from_shift_id: uuid.UUID | None
    to_shift_id: uuid.UUID
    from_name: str | None
    to_name: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DeskStaffed(Event):
    """Someone holds the desk now (a primary, or a deputy acting for one)."""

    TYPE = "crisislink.readiness.desk_staffed"
    contact_point_id: uuid.UUID
    shift_id: uuid.UUID
    person_name: str
    role: str


@dataclass(frozen=True, kw_only=True)
class DeskUnstaffed(Event):
    """Nobody on the rota holds the desk: no primary and no deputy on shift."""

    TYPE = "crisislink.readiness.desk_unstaffed"
    contact_point_id: uuid.UUID
    since: datetime


@dataclass(frozen=True, kw_only=True)
class CommTestPlanned(Event):
    TYPE = "crisislink.readiness.comm_test_planned"
    plan_id: uuid.UUID
    name: str
    recurrence: str
    next_run_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class CommTestPlanChanged(Event):
    TYPE = "crisislink.readiness.comm_test_plan_changed"
    plan_id: uuid.UUID
    changed: tuple[str, ...]
    next_run_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class CommTestStarted(Event):
    TYPE = "crisislink.readiness.comm_test_started"
    run_id: uuid.UUID
    plan_id: uuid.UUID | None
    name: str
    contacts: int
    closes_at: datetime


@dataclass(frozen=True, kw_only=True)
class CommTestEscalated(Event):
    TYPE = "crisislink.readiness.comm_test_escalated"
    run_id: uuid.UUID
    probe_id: uuid.UUID
    contact_point_id: uuid.UUID
    partner_id: uuid.UUID
    step: int
    step_kind: str
    recipients: int


@dataclass(frozen=True, kw_only=True)
class CommTestAcknowledged(Event):
    TYPE = "crisislink.readiness.comm_test_acknowledged"
    run_id: uuid.UUID
    probe_id: uuid.UUID
    contact_point_id: uuid.UUID
    partner_id: uuid.UUID
    delay_seconds: int
    after_escalation: bool
    recorded: bool  # recorded by hand by the organiser, not through a code


@dataclass(frozen=True, kw_only=True)
class CommTestClosed(Event):
    TYPE = "crisislink.readiness.comm_test_closed"
    run_id: uuid.UUID
    contacts: int
    answered: int


ALL_EVENTS: tuple[type[Event], ...] = (
    ShiftScheduled,
    ShiftChanged,
    ShiftRemoved,
    ShiftAnnotated,
    DeskHandedOver,
    DeskStaffed,
    DeskUnstaffed,
    CommTestPlanned,
    CommTestPlanChanged,
    CommTestStarted,
    CommTestEscalated,
    CommTestAcknowledged,
    CommTestClosed,
)
