"""What people (and the platform's own schedule) ask of incidents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.incidents.model import EntryKind, IncidentStatus, Mode, Point, TaskStatus
from crisislink.domains.incidents.sitreps import Figures, SitrepText
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True)
class Buffer:
    """An affected area given as a distance around a point, for when nobody has drawn the polygon yet."""

    centre: Point
    radius_m: float


@dataclass(frozen=True, kw_only=True)
class DeclareIncident(Command):
    title: str
    hazard: str
    description: str
    lead_partner_id: uuid.UUID
    area: Area | None = None
    buffer: Buffer | None = None
    location: Point | None = None
    involved: frozenset[uuid.UUID] = frozenset()
    marking: Tlp = Tlp.GREEN
    audience: frozenset[Principal] = frozenset()
    languages: tuple[str, ...] = ()
    occurred_at: datetime | None = None
    mode: Mode = Mode.LIVE
    reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateIncident(Command):
    incident_id: uuid.UUID
    expected_version: int
    title: str | None = None
    description: str | None = None
    area: Area | None = None
    involved: frozenset[uuid.UUID] | None = None
    languages: tuple[str, ...] | None = None
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None


@dataclass(frozen=True, kw_only=True)
class SetLevel(Command):
    incident_id: uuid.UUID
    country: str
    level: str
    reason: str = ""
    at: datetime | None = None  # when the level took effect, if not now (a level raised by phone earlier)


@dataclass(frozen=True, kw_only=True)
class ChangeIncidentStatus(Command):
    incident_id: uuid.UUID
    status: IncidentStatus
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AddLogEntry(Command):
    incident_id: uuid.UUID
    kind: EntryKind
    text: str
    occurred_at: datetime | None = None
    marking: Tlp | None = None  # None: the incident's own marking
    audience: frozenset[Principal] | None = None
    decided_by: str | None = None
    basis: str | None = None
    corrects: uuid.UUID | None = None
    source: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssignTask(Command):
    incident_id: uuid.UUID
    title: str
    due_at: datetime
    assignee_partner_id: uuid.UUID
    assignee_user_id: uuid.UUID | None = None
    details: str = ""
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None
    status: TaskStatus = TaskStatus.OPEN  # an imported task may be under way already


@dataclass(frozen=True, kw_only=True)
class MoveTask(Command):
    task_id: uuid.UUID
    status: TaskStatus
    expected_version: int


@dataclass(frozen=True, kw_only=True)
class DraftSitrep(Command):
    incident_id: uuid.UUID
    texts: tuple[tuple[str, SitrepText], ...]
    figures: Figures = field(default_factory=Figures)
    next_report_at: datetime | None = None
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None


@dataclass(frozen=True, kw_only=True)
class ReviseSitrep(Command):
    sitrep_id: uuid.UUID
    expected_version: int
    texts: tuple[tuple[str, SitrepText], ...]
    figures: Figures = field(default_factory=Figures)
    next_report_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PublishSitrep(Command):
    sitrep_id: uuid.UUID
    at: datetime | None = None  # None: now


@dataclass(frozen=True, kw_only=True)
class NotifyNeighbours(Command):
    """Evaluate the border rule for an incident and notify every neighbour not told yet."""

    incident_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class AcknowledgeNotification(Command):
    notification_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RunSchedule(Command):
    """Time-driven work: escalate unanswered notifications, publish scheduled reports, send reminders."""


@dataclass(frozen=True, kw_only=True)
class ImportIncident(Command):
    """An incident received from another system, with what came with it, recorded in one transaction.

    The `incident_id` of the entries, tasks and report is ignored: they go to the incident declared.
    """

    declaration: DeclareIncident
    entries: tuple[AddLogEntry, ...] = ()
    tasks: tuple[AssignTask, ...] = ()
    sitrep: DraftSitrep | None = None
