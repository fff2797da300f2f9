"""Request bodies of the rota and communication-test API. Unknown fields are refused, sizes bounded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from crisislink.domains.readiness.rota import DutyPerson
from crisislink.entrypoints.web.api.schemas import Name, Strict, Version

Phone = Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Message = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Partners = Annotated[list[uuid.UUID], msgspec.Meta(max_length=200)]
AnswerMinutes = Annotated[int, msgspec.Meta(ge=5, le=1440)]
Recurrence = Literal["ad_hoc", "weekly", "monthly", "quarterly"]
Zone = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class PersonBody(Strict):
    """Who is on duty: an account of the network (user_id), or a name with a phone number."""

    name: Name
    user_id: uuid.UUID | None = None
    phone: Phone | None = None

    def person(self) -> DutyPerson:
        return DutyPerson(name=self.name, user_id=self.user_id, phone=self.phone)


class ShiftBody(Strict):
    person: PersonBody
    starts_at: datetime
    ends_at: datetime
    role: Literal["primary", "deputy"] = "primary"


class ShiftPatch(Strict):
    expected_version: Version
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    person: PersonBody | None = None
    role: Literal["primary", "deputy"] | None = None


class NoteBody(Strict):
    text: Note


class HandoverBody(Strict):
    """Hand the desk over now, with a note: to a shift of the rota, or to a person until a time."""

    note: Note
    to_shift_id: uuid.UUID | None = None
    to_person: PersonBody | None = None
    until: datetime | None = None


class PlanBody(Strict):
    name: Name
    message: Message
    recurrence: Recurrence = "ad_hoc"
    first_run_at: datetime | None = None
    timezone: Zone = "Europe/Brussels"
    partners: Partners = msgspec.field(default_factory=list)  # empty: the whole network
    answer_minutes: AnswerMinutes = 60
    organiser_id: uuid.UUID | None = None


class PlanPatch(Strict):
    expected_version: Version
    name: Name | None = None
    message: Message | None = None
    recurrence: Recurrence | None = None
    first_run_at: datetime | None = None
    timezone: Zone | None = None
    partners: Partners | None = None
    answer_minutes: AnswerMinutes | None = None
    active: bool | None = None


class RunBody(Strict):
    """Start a test now, without a plan."""

    name: Name
    message: Message
    partners: Partners = msgspec.field(default_factory=list)
    answer_minutes: AnswerMinutes = 60
    organiser_id: uuid.UUID | None = None


class AnswerBody(Strict):
    via: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AckResult(msgspec.Struct, frozen=True):
    run_name: str
    contact_name: str
    delay_seconds: int
    after_escalation: bool
    message: str
