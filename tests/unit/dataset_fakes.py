"""In-memory fakes of the datasets capability's ports (`domains/datasets/ports.py`).

The observation store keeps the first observation of each (dataset, series, observed_at) key, like the
SQL store's INSERT ... ON CONFLICT DO NOTHING; rows written in a unit of work that does not commit are
dropped (`rollback`), as they are by the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.datasets.model import Dataset
from crisislink.domains.datasets.observations import Observation
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeRepository

Key = tuple[uuid.UUID, str, datetime]


class FakeDatasets(FakeRepository[Dataset]):
    def get_for_ingest(self, dataset_id: uuid.UUID) -> Dataset:
        return self.get(dataset_id)

    def due_stale(self, moment: datetime) -> Sequence[Dataset]:
        return [d for d in self.all() if d.stale_since is None and d.stale_at <= moment]


@dataclass
class FakeObservations:
    stored: dict[Key, Observation] = field(default_factory=dict)
    pending: dict[Key, Observation] = field(default_factory=dict)
    statements: int = 0
    lookups: int = 0

    def existing(self, dataset_id: uuid.UUID, candidates: Sequence[Observation]) -> set[tuple[str, datetime]]:
        self.lookups += 1
        return {o.key for o in candidates if (dataset_id, *o.key) in self.stored.keys() | self.pending.keys()}

    def add(self, dataset_id: uuid.UUID, observations: Sequence[Observation], received_at: datetime) -> None:
        self.statements += 1
        for observation in observations:
            self.pending.setdefault((dataset_id, observation.series, observation.observed_at), observation)

    def commit(self) -> None:
        self.stored.update(self.pending)
        self.pending.clear()

    def series(self, dataset_id: uuid.UUID, series: str) -> list[Observation]:
        """Stored observations of one series in time order, as the queries read them."""
        found = [o for (d, s, _), o in self.stored.items() if d == dataset_id and s == series]
        return sorted(found, key=lambda o: o.observed_at)


@dataclass
class FakeFollowers:
    followers: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)

    def follow(self, dataset_id: uuid.UUID, user_id: uuid.UUID, since: datetime) -> bool:
        users = self.followers.setdefault(dataset_id, set())
        added = user_id not in users
        users.add(user_id)
        return added

    def unfollow(self, dataset_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        users = self.followers.get(dataset_id, set())
        removed = user_id in users
        users.discard(user_id)
        return removed

    def of(self, dataset_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted(self.followers.get(dataset_id, set()))


@dataclass
class FakeDirectory:
    partners: set[uuid.UUID] = field(default_factory=set)
    users: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # user -> partner
    contacts: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # contact -> owner partner

    def add_partner(self) -> uuid.UUID:
        partner = uuid.uuid4()
        self.partners.add(partner)
        return partner

    def add_user(self, partner_id: uuid.UUID) -> uuid.UUID:
        user = uuid.uuid4()
        self.users[user] = partner_id
        return user

    def add_contact(self, partner_id: uuid.UUID) -> uuid.UUID:
        contact = uuid.uuid4()
        self.contacts[contact] = partner_id
        return contact

    def partner_exists(self, partner_id: uuid.UUID) -> bool:
        return partner_id in self.partners

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return self.users.get(user_id)

    def contact_owner(self, contact_point_id: uuid.UUID) -> uuid.UUID | None:
        return self.contacts.get(contact_point_id)


class FakeDatasetsUnitOfWork:
    def __init__(self) -> None:
        self.datasets = FakeDatasets()
        self.dataset_observations = FakeObservations()
        self.dataset_followers = FakeFollowers()
        self.dataset_directory = FakeDirectory()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0
        self.events: list[Event] = []
        self.touched_records: list[str] = []

    def touched(self, record_id: str) -> None:
        self.touched_records.append(record_id)

    def commit(self) -> None:
        for aggregate in self.datasets.seen():
            self.events.extend(aggregate.events)
            aggregate.events.clear()
        self.datasets.flush()
        self.dataset_observations.commit()
        self.commits += 1

    def rollback(self) -> None:
        self.datasets.rollback()
        self.dataset_observations.pending.clear()
        for dataset in self.datasets.committed.values():
            dataset.events.clear()
