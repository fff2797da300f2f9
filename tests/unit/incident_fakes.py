"""In-memory fakes of the incidents capability's ports (`domains/incidents/ports.py`).

The repositories behave like the SQL ones where the handlers can tell: `add` stamps version 1, a commit
bumps the version of every loaded aggregate whose state changed since it was added or loaded, and the
events the aggregates raised are collected on commit (into `uow.events`). `rollback` forgets what was
not committed, as the SQL unit of work does when a handler raises.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from crisislink.domains.incidents.model import Incident, LogEntry, Point, Task
from crisislink.domains.incidents.notifications import NeighbourNotification, NotificationStatus
from crisislink.domains.incidents.ports import NeighbourCheck, PartnerInfo
from crisislink.domains.incidents.sitreps import Sitrep, SitrepStatus
from crisislink.kernel.aggregate import Aggregate
from crisislink.kernel.errors import NotFound
from crisislink.kernel.geo import Area
from crisislink.kernel.messages import Event

A = TypeVar("A", bound=Aggregate)

_NOT_STATE = frozenset({"version", "events"})


def _state(aggregate: Aggregate) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (f.name, copy.deepcopy(getattr(aggregate, f.name)))
        for f in fields(aggregate)
        if f.name not in _NOT_STATE
    )


class FakeRepository(Generic[A]):
    def __init__(self) -> None:
        self.committed: dict[uuid.UUID, A] = {}
        self._seen: dict[uuid.UUID, tuple[A, tuple[tuple[str, Any], ...]]] = {}

    def add(self, aggregate: A) -> None:
        aggregate.version = 1
        self._seen[aggregate.id] = (aggregate, _state(aggregate))

    def get(self, record_id: uuid.UUID) -> A:
        if record_id in self._seen:
            return self._seen[record_id][0]
        if record_id not in self.committed:
            raise NotFound(f"no record with id {record_id}")
        aggregate = copy.deepcopy(self.committed[record_id])
        self._seen[record_id] = (aggregate, _state(aggregate))
        return aggregate

    def all(self) -> list[A]:
        """Every record as this unit of work sees it (its own uncommitted changes included)."""
        return [self.get(record_id) for record_id in dict.fromkeys([*self.committed, *self._seen])]

    def seen(self) -> Iterator[A]:
        return (aggregate for aggregate, _ in self._seen.values())

    def flush(self) -> None:
        for record_id, (aggregate, snapshot) in list(self._seen.items()):
            state = _state(aggregate)
            if state != snapshot:
                aggregate.version += 1
                self._seen[record_id] = (aggregate, state)
            if state != snapshot or record_id not in self.committed:
                kept = copy.deepcopy(aggregate)
                kept.events.clear()
                self.committed[record_id] = kept

    def rollback(self) -> None:
        self._seen.clear()


class FakeSitreps(FakeRepository[Sitrep]):
    def next_number(self, incident_id: uuid.UUID) -> int:
        return max((s.number for s in self.all() if s.incident_id == incident_id), default=0) + 1

    def scheduled_before(self, moment: datetime) -> Sequence[Sitrep]:
        return [
            s
            for s in self.all()
            if s.status is SitrepStatus.SCHEDULED and s.publish_at is not None and s.publish_at <= moment
        ]

    def awaiting_reminder(self, before: datetime) -> Sequence[Sitrep]:
        # Like the SQL repository: only the latest published report of an incident asks for the next one.
        reports = self.all()
        return [
            s
            for s in reports
            if s.status is SitrepStatus.PUBLISHED
            and s.next_report_at is not None
            and s.next_report_at <= before
            and s.reminded_at is None
            and not any(
                other.incident_id == s.incident_id
                and other.number > s.number
                and other.status is SitrepStatus.PUBLISHED
                for other in reports
            )
        ]


class FakeNotifications(FakeRepository[NeighbourNotification]):
    def for_incident(self, incident_id: uuid.UUID) -> Sequence[NeighbourNotification]:
        return [n for n in self.all() if n.incident_id == incident_id]

    def pending_before(self, moment: datetime) -> Sequence[NeighbourNotification]:
        return [n for n in self.all() if n.status is NotificationStatus.PENDING and n.escalate_at <= moment]


@dataclass
class FakeDirectory:
    partners: dict[uuid.UUID, PartnerInfo] = field(default_factory=dict)
    users: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # user -> partner

    def add_partner(self, code: str, country: str, *languages: str) -> PartnerInfo:
        partner = PartnerInfo(id=uuid.uuid4(), code=code, name=code, country=country, languages=languages)
        self.partners[partner.id] = partner
        return partner

    def add_user(self, partner_id: uuid.UUID) -> uuid.UUID:
        user_id = uuid.uuid4()
        self.users[user_id] = partner_id
        return user_id

    def partner(self, partner_id: uuid.UUID) -> PartnerInfo | None:
        return self.partners.get(partner_id)

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return self.users.get(user_id)


def small_square(centre: Point, half_side_deg: float) -> Area:
    west, east = centre.lon - half_side_deg, centre.lon + half_side_deg
    south, north = centre.lat - half_side_deg, centre.lat + half_side_deg
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return Area({"type": "Polygon", "coordinates": [ring]})


@dataclass
class FakeGeometry:
    """`check` accepts any area as it is; `buffer` draws a square about `radius_m` from the centre."""

    checked: list[Area] = field(default_factory=list)
    buffered: list[tuple[Point, float]] = field(default_factory=list)

    def check(self, area: Area) -> Area:
        self.checked.append(area)
        return area

    def buffer(self, centre: Point, radius_m: float) -> Area:
        self.buffered.append((centre, radius_m))
        return small_square(centre, radius_m / 111_000)


@dataclass
class FakeBorderRule:
    """Answers whatever `result` is set to; remembers which areas it was asked about."""

    result: NeighbourCheck = field(
        default_factory=lambda: NeighbourCheck(
            triggered=False, explanation="far from any border", neighbours=()
        )
    )
    asked: list[Area] = field(default_factory=list)

    def check(self, area: Area) -> NeighbourCheck:
        self.asked.append(area)
        return self.result


class FakeIncidentsUnitOfWork:
    def __init__(self, directory: FakeDirectory | None = None) -> None:
        self.incidents: FakeRepository[Incident] = FakeRepository()
        self.log: FakeRepository[LogEntry] = FakeRepository()
        self.tasks: FakeRepository[Task] = FakeRepository()
        self.sitreps = FakeSitreps()
        self.notifications = FakeNotifications()
        self.directory = directory or FakeDirectory()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0
        self.events: list[Event] = []

    def _repositories(self) -> tuple[FakeRepository[Any], ...]:
        return (self.incidents, self.log, self.tasks, self.sitreps, self.notifications)

    def commit(self) -> None:
        for repository in self._repositories():
            for aggregate in repository.seen():
                self.events.extend(aggregate.events)
                aggregate.events.clear()
            repository.flush()
        self.commits += 1

    def rollback(self) -> None:
        for repository in self._repositories():
            repository.rollback()
