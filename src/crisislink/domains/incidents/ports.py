"""What the incidents capability needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crisislink.domains.incidents.model import Incident, LogEntry, Point, Task
from crisislink.domains.incidents.notifications import NeighbourNotification
from crisislink.domains.incidents.sitreps import Sitrep
from crisislink.kernel.geo import Area


@dataclass(frozen=True)
class PartnerInfo:
    id: uuid.UUID
    code: str
    name: str
    country: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Neighbour:
    """A partner the border rule says must be told, and the contacts to try, in order."""

    partner_id: uuid.UUID
    name: str
    chain: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class NeighbourCheck:
    triggered: bool
    explanation: str
    neighbours: tuple[Neighbour, ...]


class Directory(Protocol):
    """The network directory, read-only: partners and people, as the incidents capability sees them."""

    def partner(self, partner_id: uuid.UUID) -> PartnerInfo | None: ...
    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None: ...


class Geometry(Protocol):
    def check(self, area: Area) -> Area: ...
    def buffer(self, centre: Point, radius_m: float) -> Area: ...


class BorderRule(Protocol):
    def check(self, area: Area) -> NeighbourCheck: ...


class IncidentRepository(Protocol):
    def add(self, incident: Incident) -> None: ...
    def get(self, incident_id: uuid.UUID) -> Incident: ...


class LogRepository(Protocol):
    def add(self, entry: LogEntry) -> None: ...
    def get(self, entry_id: uuid.UUID) -> LogEntry: ...


class TaskRepository(Protocol):
    def add(self, task: Task) -> None: ...
    def get(self, task_id: uuid.UUID) -> Task: ...


class SitrepRepository(Protocol):
    def add(self, sitrep: Sitrep) -> None: ...
    def get(self, sitrep_id: uuid.UUID) -> Sitrep: ...
    def next_number(self, incident_id: uuid.UUID) -> int: ...
    def scheduled_before(self, moment: datetime) -> Sequence[Sitrep]: ...
    def awaiting_reminder(self, before: datetime) -> Sequence[Sitrep]: ...


class NotificationRepository(Protocol):
    def add(self, notification: NeighbourNotification) -> None: ...
    def get(self, notification_id: uuid.UUID) -> NeighbourNotification: ...
    def for_incident(self, incident_id: uuid.UUID) -> Sequence[NeighbourNotification]: ...
    def pending_before(self, moment: datetime) -> Sequence[NeighbourNotification]: ...


class IncidentsUnitOfWork(Protocol):
    @property
    def incidents(self) -> IncidentRepository: ...
    @property
    def log(self) -> LogRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def sitreps(self) -> SitrepRepository: ...
    @property
    def notifications(self) -> NotificationRepository: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def commit(self) -> None: ...
