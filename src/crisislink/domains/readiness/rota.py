"""The on-duty rota of a point of contact: shifts, who holds the desk now, hand-overs.

A shift is a half-open period [starts_at, ends_at): the person is on duty from its start up to, not
including, its end, so one shift may end exactly when the next begins. At most one *primary* holds a
desk at any moment; deputies may overlap anything. What has happened stays as it happened: a shift that
has ended cannot be changed or removed (only annotated), and a shift that has started keeps its start.

Every record here follows the label of its point of contact (the repositories load it from there): the
rota of a contact you may not see is invisible to you.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput

MAX_SHIFT = timedelta(days=14)  # a week-long on-call ("piket") duty fits; a typo of a year does not
# A form filled in "now" reaches the server a little later: a start this close behind is taken as now.
GRACE = timedelta(minutes=5)
MAX_NOTE = 2000
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")


class ShiftRole(enum.StrEnum):
    PRIMARY = "primary"
    DEPUTY = "deputy"


@dataclass(frozen=True)
class DutyPerson:
    """Who is on duty: a person with an account on the network, or a name and a phone number."""

    name: str
    user_id: uuid.UUID | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidInput("a person on duty needs a name (at most 200 characters)")
        if self.phone is not None and not _PHONE.match(self.phone):
            raise InvalidInput(f"{self.phone!r} is not a phone number (digits, spaces and + only)")
        if self.user_id is None and self.phone is None:
            raise InvalidInput(
                "name the person on duty by their account, or give a phone number to reach them"
            )


@dataclass(frozen=True)
class Annotation:
    """A note added to a shift afterwards (what happened), the only change a past shift admits."""

    at: datetime
    by_user_id: uuid.UUID | None
    text: str


def note_text(text: str, what: str = "a note") -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"{what} has at most {MAX_NOTE} characters")
    return text


def aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} needs a time zone (e.g. 2025-01-06T08:00:00+01:00)")
    return moment


def check_period(starts_at: datetime, ends_at: datetime) -> None:
    aware(starts_at, "the start of the shift")
    aware(ends_at, "the end of the shift")
    if ends_at <= starts_at:
        raise InvalidInput("a shift must end after it starts")
    if ends_at - starts_at > MAX_SHIFT:
        raise InvalidInput(f"a shift lasts at most {MAX_SHIFT.days} days; split a longer duty into shifts")


def not_before_now(moment: datetime, now: datetime, what: str) -> datetime:
    """`moment` if it is not in the past; a moment just behind `now` (the form's own delay) becomes now."""
    if moment >= now:
        return moment
    if now - moment <= GRACE:
        return now
    raise InvalidInput(
        f"{what} cannot be in the past (it is {now:%Y-%m-%d %H:%M} UTC now): the rota keeps what "
        "happened as it happened; annotate a past shift instead"
    )


@dataclass(kw_only=True, eq=False)
class DutyShift(Shareable):
    """One person's duty at one desk. Its label is its point of contact's."""

    contact_point_id: uuid.UUID
    person: DutyPerson
    role: ShiftRole
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    created_by: uuid.UUID | None
    notes: tuple[Annotation, ...] = ()

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at <= now

    def require_changeable(self, now: datetime) -> None:
        if self.has_ended(now):
            raise Conflict(
                f"this shift ended at {self.ends_at:%Y-%m-%d %H:%M} UTC: a past shift cannot be changed, "
                "only annotated"
            )

    def reschedule(self, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
        """Move the shift. Once started, only its end may move, and not into the past."""
        self.require_changeable(now)
        if self.has_started(now):
            if starts_at != self.starts_at:
                raise Conflict("this shift has started: its start is history and cannot move; change its end")
            ends_at = not_before_now(ends_at, now, "the new end of a running shift")
        else:
            starts_at = not_before_now(starts_at, now, "the start of a shift")
        check_period(starts_at, ends_at)
        self.starts_at, self.ends_at = starts_at, ends_at

    def annotate(self, text: str, by_user_id: uuid.UUID | None, at: datetime) -> Annotation:
        annotation = Annotation(at=at, by_user_id=by_user_id, text=note_text(text))
        self.notes = (*self.notes, annotation)
        return annotation


def refuse_overlap(shift: DutyShift, others: Iterable[DutyShift]) -> None:
    """Two primaries never hold one desk at once: the rota must say who is in charge."""
    if shift.role is not ShiftRole.PRIMARY:
        return
    for other in others:
        if other.id == shift.id or other.role is not ShiftRole.PRIMARY:
            continue
        if other.overlaps(shift.starts_at, shift.ends_at):
            raise Conflict(
                f"{other.person.name} is the primary from {other.starts_at:%Y-%m-%d %H:%M} to "
                f"{other.ends_at:%Y-%m-%d %H:%M} UTC: two primaries cannot hold the desk at once. "
                "Shorten that shift, hand over, or make this one a deputy shift"
            )


@dataclass(frozen=True)
class DeskState:
    """Who holds the desk at a moment: the primary on shift, else a deputy; nobody means unstaffed."""

    holder: DutyShift | None
    deputies: tuple[DutyShift, ...]

    @property
    def staffed(self) -> bool:
        return self.holder is not None

    @property
    def acting(self) -> bool:
        """A deputy holds the desk because no primary is on shift."""
        return self.holder is not None and self.holder.role is ShiftRole.DEPUTY


def desk_state(shifts: Iterable[DutyShift], at: datetime) -> DeskState:
    on_shift = sorted((s for s in shifts if s.covers(at)), key=lambda s: (s.starts_at, s.id))
    primaries = [s for s in on_shift if s.role is ShiftRole.PRIMARY]
    deputies = tuple(s for s in on_shift if s.role is ShiftRole.DEPUTY)
    holder = primaries[0] if primaries else (deputies[0] if deputies else None)
    return DeskState(holder=holder, deputies=deputies)


class DeskStatus(enum.StrEnum):
    STAFFED = "staffed"
    UNSTAFFED = "unstaffed"


@dataclass(kw_only=True, eq=False)
class Desk(Shareable):
    """What the platform last saw of a desk with a rota, so that a change (e.g. unstaffed) is told once.

    Its id is its point of contact's id; its label is that contact's.
    """

    status: DeskStatus
    holder_shift_id: uuid.UUID | None
    since: datetime

    def refresh(self, state: DeskState, at: datetime) -> bool:
        """Take the desk's state at `at`; True if it changed (someone else holds it, or nobody does)."""
        holder = state.holder.id if state.holder else None
        status = DeskStatus.STAFFED if state.staffed else DeskStatus.UNSTAFFED
        if holder == self.holder_shift_id and status is self.status:
            return False
        self.status, self.holder_shift_id, self.since = status, holder, at
        return True


@dataclass(kw_only=True, eq=False)
class Handover(Shareable):
    """The outgoing holder hands the desk to the incoming one, with a note of what is going on."""

    contact_point_id: uuid.UUID
    from_shift_id: uuid.UUID | None
    to_shift_id: uuid.UUID
    at: datetime
    by_user_id: uuid.UUID | None
    note: str
