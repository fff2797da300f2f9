"""Read models of the readiness capability, served as JSON as they are."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class NoteView(msgspec.Struct, frozen=True):
    at: datetime
    by_user_id: uuid.UUID | None
    text: str


class ShiftView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    contact_point_id: uuid.UUID
    person_name: str
    person_user_id: uuid.UUID | None
    person_phone: str | None
    role: str
    starts_at: datetime
    ends_at: datetime
    notes: list[NoteView]
    version: int


class OnDutyView(msgspec.Struct, frozen=True):
    """Who holds a desk now: the primary on shift, else a deputy (acting); nobody: unstaffed."""

    contact_point_id: uuid.UUID
    contact_name: str
    partner_id: uuid.UUID
    role: str
    staffed: bool
    acting: bool
    holder: ShiftView | None
    deputies: list[ShiftView]
    next_shift: ShiftView | None  # the next primary shift to begin
    has_rota: bool


class PartnerDuty(msgspec.Struct, frozen=True):
    partner_id: uuid.UUID
    partner_code: str
    partner_name: str
    country: str
    desks: list[OnDutyView]


class HandoverView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    contact_point_id: uuid.UUID
    from_name: str | None
    to_name: str
    at: datetime
    by_user_id: uuid.UUID | None
    note: str


class PlanView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    recurrence: str
    timezone: str
    first_run_at: datetime | None
    next_run_at: datetime | None
    partners: list[uuid.UUID]
    message: str
    answer_minutes: int
    active: bool
    owner_partner_id: uuid.UUID
    marking: str
    version: int


class RunSummaryView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    plan_id: uuid.UUID | None
    name: str
    status: str
    started_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    owner_partner_id: uuid.UUID
    marking: str
    contacts: int
    answered: int
    after_escalation: int
    no_answer: int


class MessageView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    step: int
    recipient: str
    channel: str
    address: str
    sent_at: datetime
    delivery: str
    detail: str | None
    used: bool


class ProbeView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    contact_point_id: uuid.UUID
    contact_name: str
    partner_id: uuid.UUID
    outcome: str
    step: int
    step_kind: str
    sent_at: datetime
    acknowledged_at: datetime | None
    delay_seconds: float | None
    acknowledged_via: str | None
    messages: list[MessageView]


class RunView(msgspec.Struct, frozen=True):
    summary: RunSummaryView
    message: str
    partners: list[uuid.UUID]
    escalate_minutes: int
    probes: list[ProbeView]


class PartnerResultView(msgspec.Struct, frozen=True):
    """One partner's result in one run: the points of its chart."""

    run_id: uuid.UUID
    run_name: str
    started_at: datetime
    closed: bool
    contacts: int
    answered: int
    after_escalation: int
    answer_rate: float
    median_seconds: float | None
    max_seconds: float | None
