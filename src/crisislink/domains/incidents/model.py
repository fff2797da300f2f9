"""Incidents and what hangs off them: level changes, the common log, tasks.

Log entries, tasks, situation reports and neighbour notifications are aggregates of their own: each is
owned by its author's partner and carries its own marking, and an incident may gather tens of thousands
of log entries that are never loaded to change one.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.incidents.levels import scheme_of
from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput
from crisislink.kernel.geo import Area

MAX_TITLE = 200
MAX_TEXT = 20_000


class IncidentStatus(enum.StrEnum):
    ACTIVE = "active"
    DE_ESCALATING = "de_escalating"
    CLOSED = "closed"


class Mode(enum.StrEnum):
    """Live data, or an exercise or a replay of history, which must never be taken for live data."""

    LIVE = "live"
    EXERCISE = "exercise"
    REPLAY = "replay"


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InvalidInput(f"location [{self.lon}, {self.lat}] is outside WGS84 ranges (lon, lat)")


@dataclass(frozen=True)
class LevelChange:
    """One country's level, as raised or lowered by someone of that country."""

    country: str
    level: str
    previous: str | None
    at: datetime
    recorded_at: datetime
    by_user_id: uuid.UUID | None
    by_partner_id: uuid.UUID | None
    reason: str = ""


def text(value: str, what: str, limit: int = MAX_TEXT) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(f"{what} must not be empty")
    if len(stripped) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return stripped


@dataclass(kw_only=True, eq=False)
class Incident(Shareable):
    title: str
    hazard: str
    description: str
    area: Area
    location: Point | None
    lead_partner_id: uuid.UUID
    involved: frozenset[uuid.UUID]
    languages: tuple[str, ...]
    occurred_at: datetime
    declared_at: datetime
    declared_by: uuid.UUID | None
    mode: Mode = Mode.LIVE
    status: IncidentStatus = IncidentStatus.ACTIVE
    reference: str | None = None  # the identifier another system gave it (e.g. an EMSI event ID)
    levels: list[LevelChange] = field(default_factory=list)

    def current_levels(self) -> dict[str, LevelChange]:
        """Each country's latest level, in the order countries first raised one."""
        current: dict[str, LevelChange] = {}
        for change in self.levels:
            current[change.country] = change
        return current

    def set_level(self, change: LevelChange) -> LevelChange:
        self.require_open()
        scheme_of(change.country).level(change.level)
        previous = self.current_levels().get(change.country)
        if previous is not None and previous.level == change.level:
            raise Conflict(f"{change.country} is already at {change.level}")
        if previous is not None and change.at < previous.at:
            raise InvalidInput(
                f"{change.country} changed level at {previous.at.isoformat()}; a new level cannot take effect earlier"
            )
        recorded = LevelChange(
            country=change.country,
            level=change.level,
            previous=previous.level if previous else None,
            at=change.at,
            recorded_at=change.recorded_at,
            by_user_id=change.by_user_id,
            by_partner_id=change.by_partner_id,
            reason=change.reason,
        )
        self.levels.append(recorded)
        return recorded

    def is_party(self, partner_id: uuid.UUID | None) -> bool:
        return partner_id is not None and (partner_id == self.lead_partner_id or partner_id in self.involved)

    def require_open(self) -> None:
        if self.status is IncidentStatus.CLOSED:
            raise Conflict(f"the incident {self.title!r} is closed; reopen it before changing it")

    def check_language(self, language: str) -> None:
        if language not in self.languages:
            raise InvalidInput(
                f"{language!r} is not a working language of this incident ({', '.join(self.languages)}); "
                "add it to the incident first"
            )


class EntryKind(enum.StrEnum):
    INFORMATION = "information"
    DECISION = "decision"
    ACTION = "action"
    REQUEST = "request"


@dataclass(kw_only=True, eq=False)
class LogEntry(Shareable):
    """One line of the common log. Append-only: a correction is a new entry that names the one it corrects."""

    incident_id: uuid.UUID
    kind: EntryKind
    text: str
    occurred_at: datetime
    recorded_at: datetime
    author_user_id: uuid.UUID | None
    decided_by: str | None = None
    basis: str | None = None
    corrects: uuid.UUID | None = None
    source: str | None = None  # where a replayed or imported entry came from (a URL, a message id)

    def __post_init__(self) -> None:
        if self.kind is EntryKind.DECISION and not (self.decided_by and self.basis):
            raise InvalidInput("a decision records who decided and on what basis")
        if self.kind is not EntryKind.DECISION and (self.decided_by or self.basis):
            raise InvalidInput("only a decision has 'decided by' and 'basis'")


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


_TASK_MOVES = {
    TaskStatus.OPEN: {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.IN_PROGRESS: {TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.DONE: {TaskStatus.OPEN},
    TaskStatus.CANCELLED: {TaskStatus.OPEN},
}


@dataclass(kw_only=True, eq=False)
class Task(Shareable):
    incident_id: uuid.UUID
    title: str
    details: str
    assignee_partner_id: uuid.UUID
    assignee_user_id: uuid.UUID | None
    due_at: datetime
    created_at: datetime
    created_by: uuid.UUID | None
    status: TaskStatus = TaskStatus.OPEN
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.due_at <= self.created_at:
            raise InvalidInput(
                f"a task cannot be due ({self.due_at.isoformat()}) before it is created "
                f"({self.created_at.isoformat()})"
            )

    def move(self, status: TaskStatus, at: datetime) -> TaskStatus:
        if status not in _TASK_MOVES[self.status]:
            allowed = ", ".join(sorted(_TASK_MOVES[self.status]))
            raise Conflict(f"a task that is {self.status} can move to {allowed}, not to {status}")
        previous, self.status, self.updated_at = self.status, status, at
        return previous

    def is_overdue(self, now: datetime) -> bool:
        return self.status in {TaskStatus.OPEN, TaskStatus.IN_PROGRESS} and now > self.due_at
