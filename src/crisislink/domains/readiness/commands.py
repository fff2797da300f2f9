"""What people (and the platform's schedule) ask of the rota and of communication tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.readiness.plans import Recurrence
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.kernel.messages import Command

# --- the rota ---


@dataclass(frozen=True, kw_only=True)
class ScheduleShift(Command):
    contact_point_id: uuid.UUID
    person: DutyPerson
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, kw_only=True)
class ChangeShift(Command):
    shift_id: uuid.UUID
    expected_version: int
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    person: DutyPerson | None = None
    role: ShiftRole | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveShift(Command):
    shift_id: uuid.UUID
    expected_version: int


@dataclass(frozen=True, kw_only=True)
class AnnotateShift(Command):
    shift_id: uuid.UUID
    text: str


@dataclass(frozen=True, kw_only=True)
class HandOverDesk(Command):
    """Hand the desk over now: to a primary shift on the rota, or to a person until a given time."""

    contact_point_id: uuid.UUID
    note: str
    to_shift_id: uuid.UUID | None = None
    to_person: DutyPerson | None = None
    until: datetime | None = None


# --- communication tests ---


@dataclass(frozen=True, kw_only=True)
class PlanCommTest(Command):
    name: str
    message: str
    recurrence: Recurrence = Recurrence.AD_HOC
    first_run_at: datetime | None = None
    timezone: str = "Europe/Brussels"
    partners: frozenset[uuid.UUID] = frozenset()  # empty: every partner of the network
    answer_minutes: int = 60
    organiser_id: uuid.UUID | None = None  # the owning partner; None: the actor's own


@dataclass(frozen=True, kw_only=True)
class ChangeCommTestPlan(Command):
    plan_id: uuid.UUID
    expected_version: int
    name: str | None = None
    message: str | None = None
    recurrence: Recurrence | None = None
    first_run_at: datetime | None = None
    timezone: str | None = None
    partners: frozenset[uuid.UUID] | None = None
    answer_minutes: int | None = None
    active: bool | None = None


@dataclass(frozen=True, kw_only=True)
class StartCommTest(Command):
    """Run a test now: a plan's, or an ad hoc one described here (then name and message are needed)."""

    plan_id: uuid.UUID | None = None
    name: str = ""
    message: str = ""
    partners: frozenset[uuid.UUID] = frozenset()
    answer_minutes: int = 60
    organiser_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class AcknowledgeCommTest(Command):
    """An answer through a message's code. Anyone holding the code may use it, once; no sign-in."""

    token: str = field(metadata={"secret": True})


@dataclass(frozen=True, kw_only=True)
class RecordCommTestAnswer(Command):
    """The organiser records an answer heard another way (a call back, the radio)."""

    run_id: uuid.UUID
    probe_id: uuid.UUID
    via: str


@dataclass(frozen=True, kw_only=True)
class CloseCommTest(Command):
    run_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RunReadinessSchedule(Command):
    """Due plans start, unanswered probes escalate, runs past their deadline close, desks are checked."""
